// Package text reads the words in photos of text: screenshots, documents,
// receipts and signs. Tesseract does the reading, in a helper process, and
// only on photos the gate lets through (gate.go): reading a page takes
// seconds, a beach holds no words.
package text
