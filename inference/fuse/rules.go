package fuse

// The tuning values, in one place. Each was chosen by measuring the
// keywords on ../shared/everyday-dev (go run ./bench/everyday), preferring
// rules that say why over values that fit those photos.
var rules = struct {
	// show: the lowest detector score drawn as a box.
	show float32
	// acrossIoU: boxes of different classes overlapping more than this are
	// one thing, named by the better score.
	acrossIoU float32
	// countPerson: the lowest score of a person box that is counted;
	// surePerson: the best person box's score needed to say "person".
	countPerson, surePerson float32
	// group: from how many people a photo is a group.
	group int
	// portraitFace, portraitArea: a face of at least this score covering at
	// least this share of the photo makes it a portrait.
	portraitFace, portraitArea float32
	// objectSure: the score a detector's label needs to become a keyword;
	// objectSureDefault for the labels not listed.
	objectSure        map[string]float32
	objectSureDefault float32
	// classifierSure: the summed confidence the classifier's everyday
	// answer needs, by its root category; a root not listed is never
	// written from the classifier.
	classifierSure map[string]float32
	// detectorSees: roots the detector knows (its labels cover them), so a
	// classifier word there must be confirmed by a box of the same name
	// with a score of at least confirm.
	detectorSees map[string]bool
	confirm      float32
	// hiddenByPeople: roots the classifier names wrongly when people are in
	// the photo (their clothes become "hat", a rider's horse "llama").
	hiddenByPeople map[string]bool
	// scene: classifier classes that are places, and the word people
	// search for.
	scene map[string]string
	// never: words too generic to say anything.
	never map[string]bool
}{
	show:         0.35,
	acrossIoU:    0.7,
	countPerson:  0.35,
	surePerson:   0.5,
	group:        3,
	portraitFace: 0.8,
	portraitArea: 0.04,
	objectSure: map[string]float32{
		"person": 0.5,
	},
	objectSureDefault: 0.5,
	classifierSure: map[string]float32{
		"animal":         0.7,
		"food and drink": 0.7,
		"landscape":      0.5,
		"building":       0.7,
		"plant":          0.7,
		"vehicle":        0.7,
	},
	detectorSees: map[string]bool{"vehicle": true},
	confirm:      0.3,
	hiddenByPeople: map[string]bool{
		"animal": true, "clothing": true, "vehicle": true,
	},
	scene: map[string]string{
		"alp": "mountain", "seashore": "beach", "sandbar": "beach", "lakeside": "lake", "valley": "valley",
		"volcano": "volcano", "cliff": "cliff", "promontory": "coast", "coral reef": "reef", "geyser": "geyser",
	},
	never: map[string]bool{
		"thing": true, "structure": true, "container": true, "device": true, "machine": true, "tool": true,
		"household": true, "site": true,
	},
}
