# Spotter: `make run` sets up what is missing and opens the window;
# `make test` sets up what is missing and runs every test.

SHELL        := /bin/bash
ORT_VERSION  := 1.30.0
ORT_SHA256   := ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_LIB      := build/libonnxruntime.so
SHARED       := $(abspath ../shared)
PACKAGE      := build/Spotter-linux-amd64.tar.xz
# The Windows package (make package-windows), defined here because the
# test and bench rules below name its files.
WIN          := build/windows
WIN_ZIP      := build/Spotter-windows-amd64.zip
WIN_SETUP    := build/Spotter-windows-amd64-setup.exe
WIN_ORT      := $(WIN)/onnxruntime.dll
WIN_ORT_SHA256 := 508c362f5673483dd3a086379c392795b2e42d10d5e6f3f90ebd7ac21c97af67
WIN_LIBS     := $(WIN)/.built-libjxl
# libjxl is linked statically: its headers then must not ask for DLL imports.
WIN_GO       := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc-posix CXX=x86_64-w64-mingw32-g++-posix \
                PKG_CONFIG_LIBDIR=$(abspath $(WIN))/lib/pkgconfig PKG_CONFIG_PATH= PKG_CONFIG=$(abspath assets/windows/pkg-config-static) \
                CGO_CFLAGS="-O2 -I$(abspath $(WIN))/include -DJXL_STATIC_DEFINE -DJXL_THREADS_STATIC_DEFINE" \
                CGO_LDFLAGS="-L$(abspath $(WIN))/static -L$(abspath $(WIN))/lib" go
# Everything but the Windows system's own DLLs and those the package
# carries is linked in, libgcc, libstdc++ and winpthread included: the
# packages' own -lstdc++ and -lpthread find their static archives in
# $(WIN)/static before mingw's folders, where the DLLs' import libraries
# would win. Go's linker drops a library named twice but the first time,
# and libjxl's list names brotlicommon before brotlidec, which needs it:
# it is named again last.
WIN_EXTLD    := -static-libgcc -lbrotlicommon $(abspath $(WIN))/spotter-rc.o
WIN_STATIC   := $(WIN)/static/libstdc++.a
WIN_DIR      := $(WIN)/Spotter
DEFAULT_MODEL := mobilenet_v2_1.0_224_quant
# The model set: the classifier, the object detector and the face detector
# that run beside it, each a descriptor and a folder of files.
MODEL_SET    := $(DEFAULT_MODEL):model.qdq.onnx,labels.txt,LICENSE yolox_nano_coco:yolox_nano.onnx,labels.txt,LICENSE \
                yunet_s_face:yunet_s_dynamic.onnx,LICENSE
MODEL_FILES  := models/$(DEFAULT_MODEL)/model.qdq.onnx models/yolox_nano_coco/yolox_nano.onnx models/yunet_s_face/yunet_s_dynamic.onnx
GO_PACKAGES  := ./...
# The catalogue's text search is SQLite's FTS5, which mattn/go-sqlite3
# compiles in only with this build tag. Exported in GOFLAGS (after the
# person's own), it reaches every go command below and those they start:
# the end-to-end tests' go build, the bench programs, fyne package.
export GOFLAGS := $(strip $(shell go env GOFLAGS 2>/dev/null) -tags=sqlite_fts5)
# The shared libraries the package carries in lib/spotter: libheif and
# libjxl with the codecs and helpers they load; Tesseract with Leptonica
# and the image libraries Leptonica links that a desktop may lack.
CARRIED_LIBS := heif|de265|dav1d|aom|x265|numa|lcms2|gomp|jxl|jxl_threads|hwy|brotli[a-z]*|tesseract|lept|archive|gif|openjp2|webpmux
TESSDATA     := /usr/share/tesseract-ocr/5/tessdata

# The Windows build's tools: mingw-w64's compilers, cmake, meson, ninja and
# nasm for the C libraries, windres for the icon, NSIS for the installer,
# zip, and Wine, which runs the result in the tests.
WINDOWS_APT  := gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 cmake meson ninja-build nasm nsis zip wine wine64
# Debian/Ubuntu packages: Fyne's build needs; libjpeg-turbo, libdeflate and
# LibRaw (linked into the program); libheif and libjxl (carried in the
# package's lib/spotter); the X server and tools the end-to-end test drives
# the real window with; Tesseract and its English model, which read text
# (carried in the package too); heif-enc, avifenc and cjxl, which make the tests'
# HEIC, AVIF and JPEG XL files; exiftool and exiv2, the tests' readers of
# XMP sidecars; sqlite3, which checks the catalogue's file; gio, which checks
# thumbnail URIs; WordNet, from which the everyday names are made.
APT_PACKAGES := gcc pkg-config libjpeg-dev libdeflate-dev libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
                libxinerama-dev libxi-dev libxxf86vm-dev libheif-dev libraw-dev libjxl-dev libtesseract-dev tesseract-ocr-eng \
                xvfb xdotool x11-utils imagemagick libheif-examples libavif-bin libimage-exiftool-perl exiv2 libjxl-tools sqlite3 wordnet-base libglib2.0-bin

.PHONY: all run build deps deps-windows runtime model test fuzz bench soak package package-windows install-user uninstall-user screenshots clean

# Fuzz targets as package:Target:executions. `make test` runs each for its
# executions (about 8 s here); `make fuzz FUZZTIME=60s` searches longer.
# Counts, not seconds, by default: Go 1.26's fuzzing coordinator can fail a
# clean timed run with "context deadline exceeded" as the time runs out
# (go.dev/issue/75804; FuzzMerge failed CI so), and a count has no deadline.
FUZZ_TARGETS := ./inference/preprocess:FuzzDecodeAndFill:200000 ./inference/preprocess/raw:FuzzDecode:60000 \
                ./inference/model:FuzzParse:400000 ./library/sidecar:FuzzMerge:300000 \
                ./inference/text:FuzzRead:2000
FUZZTIME     ?=

all: build

run: deps runtime model build
	./bin/spotter

build: bin/spotter

VERSION := $(shell sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)

bin/spotter: $(shell find cmd ui inference library assets -type f) go.mod go.sum FyneApp.toml
	go build -ldflags "-X main.version=$(VERSION)" -o $@ ./cmd/spotter

# Installs missing apt packages (as root, or through sudo when available).
# apt_install installs the packages of $(1) that are missing.
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  if [ $$(id -u) -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))
	@command -v go >/dev/null || { echo "Go 1.26 or newer is needed: https://go.dev/dl/"; exit 1; }
	@# npm fetches ONNX Runtime once; a Node.js from elsewhere brings its own npm.
	@if [ ! -f $(ORT_LIB) ] && ! command -v npm >/dev/null; then \
	  echo "Installing: npm"; \
	  if [ $$(id -u) -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; \
	fi

# The official CPU build of ONNX Runtime, from the onnxruntime-node npm
# package (npm pack only downloads; it runs no install script).
runtime: $(ORT_LIB)

$(ORT_LIB):
	@mkdir -p build/ort-download
	cd build/ort-download && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null
	tar -xzf build/ort-download/onnxruntime-node-$(ORT_VERSION).tgz -C build/ort-download \
	  package/bin/napi-v6/linux/x64/libonnxruntime.so.1
	echo "$(ORT_SHA256)  build/ort-download/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | sha256sum -c --quiet
	mv build/ort-download/package/bin/napi-v6/linux/x64/libonnxruntime.so.1 $@
	rm -rf build/ort-download

# The same release built for another architecture: the tests check that
# loading it gives a clear message instead of a crash.
build/test/arm64/libonnxruntime.so:
	@mkdir -p build/ort-download $(@D)
	cd build/ort-download && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null
	tar -xzf build/ort-download/onnxruntime-node-$(ORT_VERSION).tgz -C build/ort-download \
	  package/bin/napi-v6/linux/arm64/libonnxruntime.so.1
	mv build/ort-download/package/bin/napi-v6/linux/arm64/libonnxruntime.so.1 $@
	rm -rf build/ort-download

model:
	@SHARED=$(SHARED) models/fetch.sh

$(MODEL_FILES):
	@SHARED=$(SHARED) models/fetch.sh

# Static checks, the race-checked tests (unit, engine, headless UI), and the
# end-to-end test that drops a photo on the real window under Xvfb.
test: deps deps-windows runtime model build build/test/arm64/libonnxruntime.so $(PACKAGE) $(WIN_ZIP) $(WIN_SETUP)
	@unformatted=$$(gofmt -l cmd ui inference library bench assets settings internal); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet $(GO_PACKAGES)
	go tool staticcheck $(GO_PACKAGES)
	SPOTTER_SCREENSHOTS=$(abspath build/screenshots) go test -race -count=1 $(GO_PACKAGES)
	$(MAKE) --no-print-directory fuzz

# Each fuzz target for FUZZTIME or its own executions; a crasher is saved
# under testdata/fuzz and then replays in every `go test`. An input that
# crashes a helper does not fail the target (the caller survives it, by
# design): the target keeps it in build/crashers, and this counts and
# prints them and adds them to the corpus, where they replay too. Minimising a new
# input is bounded: at the default 60 s, LibRaw's target spent a 10-second
# pass minimising and `go test` failed it with "context deadline exceeded".
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$(or $(FUZZTIME),$${rest#*:}x); \
	  echo "fuzz $$name for $$budget"; \
	  crashers=$(abspath build/crashers)/$$name; rm -rf $$crashers; \
	  SPOTTER_CRASHERS=$$crashers go test -run '^$$' -fuzz "^$$name$$" -fuzztime $$budget -fuzzminimizetime 100x $$pkg || exit 1; \
	  n=$$(ls $$crashers 2>/dev/null | wc -l); echo "$$name: $$n inputs crashed a helper (each cost one file a message)"; \
	  if [ $$n -gt 0 ]; then mkdir -p $$pkg/testdata/fuzz/$$name && cp $$crashers/* $$pkg/testdata/fuzz/$$name/ && ls $$crashers | head -10 | sed "s|^|  added to $$pkg/testdata/fuzz/$$name/: |"; fi; \
	done

# Prints each benchmark of a `go test -bench` run as a row: its time per
# operation in ms, then its own metrics.
METRICS_AWK := BEGIN { print TITLE } \
  /^Benchmark/ { name=$$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$$/, "", name); \
    line=sprintf("  %-44s %10.2f ms/op", name, $$3/1e6); \
    for (k=5; k<NF; k+=2) line=line sprintf("  %s %s", $$k, $$(k+1)); print line } \
  END { print "" }

# Per-photo time split into decode, preprocess and inference, ONNX Runtime's
# Run alone (the floor), a 200-photo folder with and without decoding the
# next photo during inference, the same photos through the Node.js peer
# in bench/peer (installed with npm here), then the window: how long the UI
# thread keeps a probe waiting during a 200-photo queue (bench/fluidity) and
# how soon the window shows after launch (bench/launch), on $DISPLAY or a
# private Xvfb; then large libraries (bench/library): 10,000 photos dropped
# again, and a 100,000-photo catalogue in the window. The library folders'
# rows: a rescan of 100,000 photos, watching 20,000 folders, and a photo
# copied into a folder spotter watch watches until search finds it. Last,
# the Windows build under Wine against the Linux build (bench/wine): time
# per photo, photos/s, cold start and the package's sizes. Prints; it
# asserts nothing.
bench: deps deps-windows runtime model build $(PACKAGE) $(WIN_ZIP) $(WIN_SETUP)
	@go test -run '^$$' -bench 'ClassifyFile|Run|Detectors' -benchtime 3s -count 1 ./inference | awk ' \
	  BEGIN { printf "%-38s %10s %10s %12s %11s\n", "per photo", "total ms", "decode ms", "preproc. ms", "infer. ms" } \
	  /^Benchmark/ { name=$$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$$/, "", name); d=p=i="-"; \
	    for (k=5; k<NF; k+=2) { if ($$(k+1)=="decode-ms") d=$$k; if ($$(k+1)=="preprocess-ms") p=$$k; if ($$(k+1)=="inference-ms") i=$$k } \
	    printf "%-38s %10.2f %10s %12s %11s\n", name, $$3/1e6, d, p, i }'
	@echo
	@go test -run '^$$' -bench 'Folder' -benchtime 3x -count 1 ./inference/pipeline | awk ' \
	  BEGIN { printf "%-38s %10s %12s\n", "folder of 200 photos", "photos/s", "peak RSS MB" } \
	  /^Benchmark/ { name=$$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$$/, "", name); r=m="-"; \
	    for (k=5; k<NF; k+=2) { if ($$(k+1)=="photos/s") r=$$k; if ($$(k+1)=="peak-RSS-MB") m=$$k } \
	    printf "%-38s %10s %12s\n", name, r, m }'
	@echo
	@go run ./bench/everyday -dir $(SHARED)/everyday-dev
	@echo
	@go test -run '^$$' -bench 'DecodeHEIF' -benchtime 5x -count 1 ./inference/preprocess | awk -v TITLE="HEIC and AVIF decode, 12 MP: Spotter against libheif alone" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'SandboxCost' -benchtime 5x -count 1 ./inference/preprocess | awk -v TITLE="12-MP JPEG, PNG, HEIC, AVIF and DNG (its 1600×1200 preview): C decoders in the locked-down helpers against in Spotter's process" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'Decode24MP' -benchtime 10x -count 1 ./inference/preprocess/raw | awk -v TITLE="24-MP DNG: embedded preview against half-size demosaic" '$(METRICS_AWK)'
	@go test -run '^$$' -bench . -benchtime 3x -count 1 ./library/catalog | awk -v TITLE="catalogue" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'WriteFresh$$|MergeExisting' -benchtime 3x -count 1 ./library/sidecar | awk -v TITLE="XMP sidecars for 1,000 photos" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'Rescan100k' -benchtime 3x -count 1 ./library/index | awk -v TITLE="library folders: a rescan of 100,000 unchanged photos (target: under 5 s, under 300 MB)" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'Watch20kFolders' -benchtime 1x -count 1 ./library/watch | awk -v TITLE="library folders: watching a tree of 20,000 folders" '$(METRICS_AWK)'
	@go test -run '^$$' -bench 'CopyToSearch' -benchtime 5x -count 1 ./cmd/spotter | awk -v TITLE="spotter watch: a photo copied in, until spotter search finds it (target: 3 s)" '$(METRICS_AWK)'
	@cd bench/peer && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	@go run ./bench/compare -shared $(SHARED)
	@echo
	@LANG=en_US.UTF-8 go run ./bench/fluidity -shared $(SHARED)
	@echo
	@go run ./bench/launch -bin bin/spotter
	@echo
	@env -u DISPLAY go run ./bench/library -bin bin/spotter -shared $(SHARED)
	@echo
	@go run ./bench/wine -shared $(SHARED)

# 2,000 photos in one process: resident memory before and after.
soak: deps runtime model
	go test -run '^$$' -bench BenchmarkSoak -benchtime 2000x ./inference

# A tar.xz that installs and runs offline: fyne package makes the program,
# menu entry and icon; the ONNX Runtime library, the default model and the
# install Makefile (assets/package) are added beside them.
package: $(PACKAGE)

$(PACKAGE): bin/spotter $(ORT_LIB) $(MODEL_FILES) FyneApp.toml assets/icon.png assets/package/Makefile assets/package/spotter-watch.service
	@command -v fyne >/dev/null || { echo "Installing the fyne tool"; go install fyne.io/tools/cmd/fyne@v1.7.4; }
	rm -rf build/package && mkdir -p build/package
	@# fyne package bumps Build in FyneApp.toml on every run; keep the file as committed.
	cp FyneApp.toml build/FyneApp.toml.orig
	PATH="$$PATH:$$(go env GOPATH)/bin" fyne package -os linux --exe bin/spotter; \
	  status=$$?; mv build/FyneApp.toml.orig FyneApp.toml; exit $$status
	tar -xJf Spotter.tar.xz -C build/package && rm Spotter.tar.xz
	@# fyne lays files under usr/ or usr/local/ by the build machine; the package is PREFIX-relative.
	cd build/package && usr=$$(dirname $$(find . -path '*/bin/spotter')) && mkdir -p spotter-pkg && \
	  cp -R $$usr/../bin $$usr/../share spotter-pkg/ && rm -rf spotter && mv spotter-pkg spotter
	mkdir -p build/package/spotter/share/icons/hicolor/256x256/apps build/package/spotter/lib/spotter build/package/spotter/share/spotter/models
	mv build/package/spotter/share/pixmaps/app.spotter.Spotter.png build/package/spotter/share/icons/hicolor/256x256/apps/
	rmdir build/package/spotter/share/pixmaps
	cp $(ORT_LIB) build/package/spotter/lib/spotter/libonnxruntime.so
	@# Debian ships libheif and libjxl only as shared libraries: the package
	@# carries them and the codecs and helpers they and LibRaw load, which the
	@# program's RPATH (set by inference/preprocess/heif) finds there before
	@# the system's copies.
	ldd bin/spotter | awk '$$3 ~ /\/lib($(CARRIED_LIBS))\.so/ { print $$3, $$1 }' | \
	  while read -r path soname; do cp -L "$$path" "build/package/spotter/lib/spotter/$$soname"; done
	@# Tesseract's English model, which the program looks for beside itself first.
	mkdir -p build/package/spotter/share/spotter/tessdata
	cp $(TESSDATA)/eng.traineddata build/package/spotter/share/spotter/tessdata/
	@# Each model of the set: its descriptor and its files, licence included.
	for m in $(MODEL_SET); do name=$${m%%:*}; files=$${m#*:}; \
	  cp models/$$name.json build/package/spotter/share/spotter/models/ && \
	  mkdir -p build/package/spotter/share/spotter/models/$$name && \
	  for f in $${files//,/ }; do cp models/$$name/$$f build/package/spotter/share/spotter/models/$$name/ || exit 1; done; \
	done
	cp assets/package/Makefile build/package/spotter/Makefile
	@# spotter watch as a systemd user unit, installed off (make install-user WATCH=1 turns it on).
	install -D -m 644 assets/package/spotter-watch.service build/package/spotter/share/systemd/user/spotter-watch.service
	tar -cJf $@ -C build/package spotter
	@echo "Wrote $@"

# The Windows package, cross-built here with mingw-w64: a zip to unpack and
# run, and an installer (NSIS) for one person, without administrator rights.
# The C libraries are built from the pinned sources in $(SHARED)/windows-src
# (assets/windows/libs.sh, about 8 minutes on two cores, once); the ONNX
# Runtime DLL comes from the same npm package as the Linux library.
package-windows: deps-windows $(WIN_ZIP) $(WIN_SETUP)

# The Windows build's tools, which `make run` does not need.
deps-windows:
	$(call apt_install,$(WINDOWS_APT))

$(WIN_LIBS): assets/windows/libs.sh
	assets/windows/libs.sh $(SHARED)/windows-src $(WIN)

$(WIN_ORT):
	@mkdir -p build/ort-download $(@D)
	cd build/ort-download && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null
	tar -xzf build/ort-download/onnxruntime-node-$(ORT_VERSION).tgz -C build/ort-download \
	  package/bin/napi-v6/win32/x64/onnxruntime.dll
	echo "$(WIN_ORT_SHA256)  build/ort-download/package/bin/napi-v6/win32/x64/onnxruntime.dll" | sha256sum -c --quiet
	mv build/ort-download/package/bin/napi-v6/win32/x64/onnxruntime.dll $@
	rm -rf build/ort-download

# The icon and version, linked into spotter.exe.
$(WIN)/spotter-rc.o: assets/windows/spotter.rc assets/icon.png FyneApp.toml
	@mkdir -p $(@D)
	convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 $(WIN)/spotter.ico
	x86_64-w64-mingw32-windres -I $(WIN) -DVERSION_COMMAS=$(subst .,$(comma),$(VERSION)),0 \
	  -DVERSION_TEXT='\"$(VERSION)\"' -O coff -o $@ assets/windows/spotter.rc

comma := ,

$(WIN_STATIC):
	@mkdir -p $(@D)
	for l in libstdc++.a libpthread.a libwinpthread.a; do \
	  ln -sf $$(x86_64-w64-mingw32-gcc-posix -print-file-name=$$l) $(@D)/$$l; done

# spotter.exe has no console (-H windowsgui); spotter.com is its console
# twin, which Command Prompt and PowerShell run for `spotter …`.
$(WIN_DIR)/spotter.exe: $(shell find cmd ui inference library assets settings -type f) go.mod go.sum $(WIN_LIBS) $(WIN)/spotter-rc.o $(WIN_STATIC)
	@mkdir -p $(@D)
	$(WIN_GO) build -ldflags "-H windowsgui -X main.version=$(VERSION) -extldflags '$(WIN_EXTLD)'" -o $@ ./cmd/spotter

$(WIN_DIR)/spotter.com: cmd/spotter-console/main.go
	@mkdir -p $(@D)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -o $@ ./cmd/spotter-console

$(WIN_ZIP): $(WIN_DIR)/spotter.exe $(WIN_DIR)/spotter.com $(WIN_ORT) $(MODEL_FILES) assets/windows/README.txt
	cp $(WIN_ORT) $(WIN)/bin/libheif.dll $(WIN)/bin/libde265.dll $(WIN_DIR)/
	cp assets/windows/README.txt $(WIN_DIR)/
	rm -rf $(WIN_DIR)/models $(WIN_DIR)/licenses && mkdir -p $(WIN_DIR)/models $(WIN_DIR)/licenses
	for m in $(MODEL_SET); do name=$${m%%:*}; files=$${m#*:}; \
	  cp models/$$name.json $(WIN_DIR)/models/ && mkdir -p $(WIN_DIR)/models/$$name && \
	  for f in $${files//,/ }; do cp models/$$name/$$f $(WIN_DIR)/models/$$name/ || exit 1; done; \
	done
	cp $(WIN)/licenses/* $(WIN_DIR)/licenses/
	go run ./assets/windows/licenses -exe $(WIN_DIR)/spotter.exe -ort $(ORT_VERSION) -out $(WIN_DIR)/licenses
	rm -f $@ && cd $(WIN) && zip -q -r -9 $(abspath $@) Spotter
	@echo "Wrote $@"

$(WIN_SETUP): $(WIN_ZIP) assets/windows/installer.nsi
	makensis -V2 -DVERSION=$(VERSION) -DSRC=$(abspath $(WIN_DIR)) -DOUT=$(abspath $@) assets/windows/installer.nsi
	@echo "Wrote $@"

install-user: $(PACKAGE)
	$(MAKE) -C build/package/spotter install-user

uninstall-user:
	$(MAKE) -f $(abspath assets/package/Makefile) uninstall-user

# The README's pictures, from the real program under Xvfb.
screenshots: deps runtime model build
	assets/screenshots/take.sh

clean:
	rm -rf bin build/screenshots build/package $(PACKAGE)
