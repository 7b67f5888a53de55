package fuse

// The tuning values, in one place. Each was chosen by measuring the
// keywords on ../shared/everyday-dev (go run ./bench/everyday -v),
// preferring rules that say why over values that fit those photos.
var rules = struct {
	// show: the lowest detector score drawn as a box.
	show float32
	// acrossIoU: boxes of different classes overlapping more than this are
	// one thing, named by the better score.
	acrossIoU float32
	// confusable groups the labels the detector mixes up; two of a group
	// whose boxes overlap by sameThing (IoU) are one thing, and the better
	// keeps it only when clearlyBetter by score.
	confusable               map[string]string
	sameThing, clearlyBetter float32
	// countPerson: the lowest score of a person box that is counted;
	// surePerson: the best person box's score needed to say "person";
	// samePerson: a person box this much inside a better one is not counted.
	countPerson, surePerson, samePerson float32
	// countFace: a face of at least this score counts as a person where
	// the detector found fewer bodies than faces.
	countFace float32
	// group: from how many people a photo is a group.
	group int
	// portraitFace, portraitArea: one person whose face scores at least
	// this and covers at least this share of the photo makes a portrait.
	portraitFace, portraitArea float32
	// objectSure: the score a detector's label needs to become a keyword;
	// objectSureDefault for the labels not listed.
	objectSure        map[string]float32
	objectSureDefault float32
	// The classifier vetoes a detector's word when its answer reaches
	// vetoSure, is of the same root category (or the one vetoAcross gives),
	// and the word's own name has under vetoMass of its belief.
	// classifierName: the classifier's name for a detector's word where
	// they differ.
	vetoSure, vetoMass float32
	vetoAcross         map[string]string
	classifierName     map[string]string
	// classifierSure: the summed confidence the classifier's everyday
	// answer needs, by its root category; a root not listed is never
	// written from the classifier.
	classifierSure map[string]float32
	// detectorSees: roots the detector has labels for, so a classifier
	// word there needs a box of that root scoring at least confirm.
	detectorSees map[string]bool
	confirm      float32
	// hiddenByPeople: roots the classifier names wrongly when people are in
	// the photo (their clothes become "hat", a rider's horse "llama").
	hiddenByPeople map[string]bool
	// scene: classifier classes that are places, and the word people
	// search for; every landscape class also says "landscape".
	scene map[string]string
	// textClass: classes that mean a photo of text (menu, web site): the
	// words are in the text, not in the class.
	textClass map[string]bool
	// indoor: the detector's labels for things that live indoors.
	indoor map[string]bool
	// broader: categories whose name is written when the detector saw one
	// of their things surely but named none surely.
	broader map[string]bool
	// street: labels that make a street, alone ("furniture") or with
	// people ("traffic").
	street map[string]string
	// never: words too generic to say anything.
	never map[string]bool
}{
	show:      0.35,
	acrossIoU: 0.7,
	confusable: map[string]string{
		"car": "vehicle", "truck": "vehicle", "bus": "vehicle", "train": "vehicle",
		"horse": "hoofed", "cow": "hoofed", "sheep": "hoofed", "zebra": "hoofed", "giraffe": "hoofed", "elephant": "hoofed",
		"cat": "pet", "dog": "pet", "bear": "bear", "teddy bear": "bear",
	},
	sameThing:     0.5,
	clearlyBetter: 0.2,
	countPerson:   0.25,
	surePerson:    0.5,
	samePerson:    0.8,
	countFace:     0.8,
	group:         3,
	portraitFace:  0.8,
	portraitArea:  0.02,
	objectSure: map[string]float32{
		"person": 0.5,
		// COCO's truck takes in old cars and buses: at 0.6–0.8 it was
		// right on none of three photos, at 0.9 on a pickup.
		"truck": 0.85,
		// Tableware is small and often only half seen: between 0.6 and
		// 0.85 it was right on two photos of five.
		"bowl": 0.85, "cup": 0.85, "fork": 0.85, "knife": 0.85, "spoon": 0.85, "wine glass": 0.85,
	},
	objectSureDefault: 0.6,
	vetoSure:          0.4,
	vetoMass:          0.03,
	vetoAcross:        map[string]string{"toy": "animal"},
	classifierName:    map[string]string{"cow": "ox", "sheep": "ram", "teddy bear": "teddy", "hot dog": "hotdog", "television": "screen"},
	classifierSure: map[string]float32{
		"animal":         0.7,
		"food and drink": 0.7,
		"landscape":      0.6,
		"building":       0.85,
		"structure":      0.9,
		"plant":          0.7,
		"vehicle":        0.7,
	},
	detectorSees: map[string]bool{"vehicle": true, "animal": true},
	confirm:      0.35,
	hiddenByPeople: map[string]bool{
		"animal": true, "clothing": true, "vehicle": true,
	},
	scene: map[string]string{
		"alp": "mountain", "seashore": "beach", "sandbar": "beach", "lakeside": "lake",
		"volcano": "volcano", "cliff": "cliff", "coral reef": "reef", "geyser": "geyser",
	},
	textClass: map[string]bool{
		"menu": true, "web site": true, "envelope": true, "book jacket": true, "crossword puzzle": true, "comic book": true,
		"street sign": true, "scoreboard": true, "monitor": true, "screen": true, "packet": true, "binder": true,
		// "brass, memorial tablet, plaque": the classifier's word for pages
		// and screens of small print as much as for plaques.
		"brass": true,
	},
	indoor: map[string]bool{
		"bed": true, "couch": true, "tv": true, "refrigerator": true, "oven": true, "microwave": true,
		"toilet": true, "sink": true, "toaster": true,
	},
	broader: map[string]bool{"vehicle": true},
	street: map[string]string{
		"traffic light": "furniture", "stop sign": "furniture", "parking meter": "furniture", "fire hydrant": "furniture",
		"car": "traffic", "bus": "traffic", "motorcycle": "traffic", "truck": "traffic",
	},
	never: map[string]bool{
		"thing": true, "structure": true, "container": true, "device": true, "machine": true, "tool": true,
		"household": true, "site": true,
	},
}
