package model

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spotter-app/spotter/inference/install"
)

// EnvVar names a descriptor (or a folder of them) when no --model flag
// is given.
const EnvVar = "SPOTTER_MODEL"

// Find picks the model descriptor to use. choice is the --model
// flag: a descriptor (.json), an .onnx file with a descriptor of the same
// name beside it, or a folder of descriptors. Without it, SPOTTER_MODEL is
// read, then the models/ folders beside the executable, in an installed
// package's share/spotter/, above it (a source checkout's bin/), and in the
// working directory. In a folder, the first
// descriptor by name whose model file exists wins.
func Find(choice string) (string, error) {
	if choice == "" {
		choice = os.Getenv(EnvVar)
	}
	if choice != "" {
		return descriptorFor(choice)
	}
	dirs := SearchDirs()
	for _, dir := range dirs {
		if d, err := firstUsable(dir); err == nil {
			return d, nil
		}
	}
	return "", fmt.Errorf("No model was found: %s, or pass --model with a model descriptor (.json); looked in %s", fetchModel(), strings.Join(dirs, ", "))
}

// fetchModel says how to get the default model back where Spotter runs.
func fetchModel() string {
	return install.Advice("run `make model`", "reinstall Spotter's package, which carries its model in share/spotter/models")
}

// SearchDirs are the folders searched for models when none is chosen.
func SearchDirs() []string {
	var dirs []string
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		dir := filepath.Dir(exe)
		dirs = append(dirs, filepath.Join(dir, "models"),
			filepath.Join(dir, "..", "share", "spotter", "models"), // an installed package
			filepath.Join(dir, "..", "models"))
	}
	return append(dirs, "models")
}

// Available lists the usable models in the search folders (those whose
// model file exists), each once, for a person to choose from.
func Available() []*Descriptor {
	var out []*Descriptor
	seen := map[string]bool{}
	for _, dir := range SearchDirs() {
		for _, d := range usable(dir) {
			if !seen[d.ModelPath()] {
				seen[d.ModelPath()] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// usable lists the classifiers' descriptors in dir, by name, whose model
// file exists: the models a person chooses between.
func usable(dir string) []*Descriptor { return usableOf(dir, Classifier) }

func usableOf(dir string, kind Kind) []*Descriptor {
	var out []*Descriptor
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(paths)
	for _, p := range paths {
		if d, err := Load(p); err == nil && d.KindOrDefault() == kind {
			if _, err := os.Stat(d.ModelPath()); err == nil {
				out = append(out, d)
			}
		}
	}
	return out
}

// Companions are the detectors that run beside a classifier: the first
// object detector and the first face detector, by name, in the classifier's
// folder whose model files exist; nil where there is none. A face detector
// runs only where the object detector saw a person, so it is not returned
// without one.
func Companions(classifier *Descriptor) (objects, faces *Descriptor) {
	if ds := usableOf(classifier.Dir, ObjectDetector); len(ds) > 0 {
		objects = ds[0]
	} else {
		return nil, nil
	}
	if ds := usableOf(classifier.Dir, FaceDetector); len(ds) > 0 {
		faces = ds[0]
	}
	return objects, faces
}

func descriptorFor(choice string) (string, error) {
	info, err := os.Stat(choice)
	if err != nil {
		return "", fmt.Errorf("The model %s does not exist. Check the path given by --model or %s", choice, EnvVar)
	}
	if info.IsDir() {
		return firstUsable(choice)
	}
	if strings.EqualFold(filepath.Ext(choice), ".onnx") {
		desc := strings.TrimSuffix(choice, filepath.Ext(choice)) + ".json"
		if _, err := os.Stat(desc); err != nil {
			return "", fmt.Errorf("The model %s has no descriptor: Spotter needs %s to know how to feed it (see models/*.json for examples)", choice, desc)
		}
		return desc, nil
	}
	return choice, nil
}

// firstUsable returns the first descriptor in dir, by name, whose model
// file exists.
func firstUsable(dir string) (string, error) {
	if ds := usable(dir); len(ds) > 0 {
		return ds[0].Path, nil
	}
	return "", fmt.Errorf("No usable model in %s: %s, or choose a descriptor whose model file exists", dir, fetchModel())
}
