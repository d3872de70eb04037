"""Calibration of the brief training's "learns" check (grader/model/learning.py): models
that learn, slowly included, must pass; models that cannot learn must fail, in the 2024 and
2023 weeks. The slow patterns are those real learners wrote that a fixed "80% within 6
epochs" called non-learners (issue 33, item 7): BatchNormalization with Adam, four
augmentation layers, RMSprop or Adam at 1e-4 on 24 letters."""

from __future__ import annotations

from realistic.case import Case

LEARNS = "learns to tell the fixture's cats from dogs"
LETTERS = "learns to tell the fixture's letters apart"
W1V4 = "c2w1v4-create-model"
W1V4_CONV = "        tf.keras.layers.Conv2D(16, (3, 3), activation='relu'),\n"
W1V4_OPT = "optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001)"
W1V4_HEAD = "        tf.keras.layers.Rescaling(1./255),\n"
W4V4 = "c2w4v4-create-model"
W1 = "c2w1-create-model"
W4 = "c2w4-create-model"
AUGMENTATION = """        tf.keras.layers.RandomFlip('horizontal'),
        tf.keras.layers.RandomRotation(0.2),
        tf.keras.layers.RandomTranslation(0.2, 0.2),
        tf.keras.layers.RandomZoom(0.2),
"""
FREEZE = "\n    for layer in model.layers:\n        layer.trainable = False\n"

CASES = [
    # ---- must pass: they learn, some slowly
    Case("batchnorm_with_adam", "C2W1v4", (
        (W1V4, W1V4_CONV, W1V4_CONV + "        tf.keras.layers.BatchNormalization(),\n"),
        (W1V4, "tf.keras.layers.Conv2D(32, (3, 3), activation='relu'),\n",
         "tf.keras.layers.Conv2D(32, (3, 3), activation='relu'),\n"
         "        tf.keras.layers.BatchNormalization(),\n"),
        (W1V4, W1V4_OPT, "optimizer='adam'"),
    ), why="BatchNormalization's running averages unsettled after a few steps"),
    Case("four_augmentation_layers_first", "C2W1v4", (
        (W1V4, W1V4_HEAD, AUGMENTATION + W1V4_HEAD),
    ), why="augmentation before the convolutions slows learning"),
    Case("rmsprop_1e-4_letters", "C2W4v4", (
        (W4V4, "optimizer='adam'", "optimizer=tf.keras.optimizers.RMSprop(learning_rate=1e-4)"),
    ), why="a slow optimizer on 24 letters: 0.03 -> 0.36 in 8 epochs on the real data"),
    Case("adam_1e-4_letters", "C2W4", (
        (W4, "optimizer='adam'", "optimizer=tf.keras.optimizers.Adam(learning_rate=1e-4)"),
    ), why="the same in the 2023 week"),
    Case("batchnorm_with_adam_2023", "C2W1", (
        (W1, "tf.keras.layers.MaxPooling2D(2, 2),\n      tf.keras.layers.Conv2D(32",
         "tf.keras.layers.BatchNormalization(),\n      tf.keras.layers.MaxPooling2D(2, 2),"
         "\n      tf.keras.layers.Conv2D(32"),
        (W1, "optimizer=RMSprop(learning_rate=0.001)", "optimizer='adam'"),
    ), why="BatchNormalization in the 2023 week"),
    # ---- must fail: they cannot learn
    Case("learning_rate_zero", "C2W1v4", (
        (W1V4, "learning_rate=0.001", "learning_rate=0.0"),
    ), expect={"create_model": (LEARNS,)}, why="no weight ever changes"),
    Case("one_sigmoid_unit_under_categorical_crossentropy", "C2W1v4", (
        (W1V4, "loss='binary_crossentropy'", "loss='categorical_crossentropy'"),
    ), expect={"create_model": ("output layer and loss fit two classes", LEARNS)},
        why="a softmax-style loss over one unit is always 0: no gradient"),
    Case("frozen_layers_letters", "C2W4v4", (
        (W4V4, "\n    model.compile(", FREEZE + "\n    model.compile("),
    ), expect={"create_model": (LETTERS,)}, why="nothing trainable"),
    Case("frozen_layers_2023", "C2W1", (
        (W1, "\n\n  model.compile(", "\n  for layer in model.layers:\n"
         "    layer.trainable = False\n  model.compile("),
    ), expect={"create_model": (LEARNS,)}, why="nothing trainable, 2023 week"),
    Case("learning_rate_zero_letters_2023", "C2W4", (
        (W4, "optimizer='adam'", "optimizer=tf.keras.optimizers.Adam(learning_rate=0.0)"),
    ), expect={"create_model": (LETTERS,)}, why="no weight ever changes, 2023 week"),
]

# What the first Conv2D receives decides the Rescaling check (issue 33, item 3), not where
# the layer sits.
W2V4 = "c2w2v4-create-model"
STACKED = "        create_augmentation_model(),\n"
RESCALING = "        tf.keras.layers.Rescaling(1./255),\n"
FUNCTIONAL_V4 = '''def create_model():
    inputs = tf.keras.Input(shape=(150, 150, 3))
    x = tf.keras.layers.Rescaling(1./255)(inputs)
    for filters in (16, 32, 64):
        x = tf.keras.layers.Conv2D(filters, (3, 3), activation='relu')(x)
        x = tf.keras.layers.MaxPooling2D(2, 2)(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(512, activation='relu')(x)
    outputs = tf.keras.layers.Dense(1, activation='sigmoid')(x)
    model = tf.keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    return model
'''
CASES += [
    Case("rescaling_before_the_augmentation", "C2W2v4", (
        (W2V4, STACKED + RESCALING, RESCALING + STACKED),
    ), why="the notebook says Rescaling 'normally' goes after: not a rule"),
    Case("functional_rescaling_after_its_input", "C2W1v4", (
        (W1V4, "def create_model():", FUNCTIONAL_V4 + "\n\ndef create_model_reference():"),
    ), why="a functional model's layers list its InputLayer"),
]

# Losses and metrics given as classes, uninstantiated: Keras 3 trains with them, so the
# grader recognises and rebuilds them (issue 33, item 2).
CASES += [
    Case("loss_and_metric_classes", "C2W1v4", (
        (W1V4, "loss='binary_crossentropy'", "loss=tf.keras.losses.BinaryCrossentropy"),
    ), why="loss=tf.keras.losses.BinaryCrossentropy, a class"),
    Case("sparse_loss_class_letters", "C2W4v4", (
        (W4V4, "loss='sparse_categorical_crossentropy'",
         "loss=tf.keras.losses.SparseCategoricalCrossentropy"),
    ), why="the class, not an instance; it was reported as 'type'"),
    Case("binary_loss_class_for_letters", "C2W4v4", (
        (W4V4, "loss='sparse_categorical_crossentropy'",
         "loss=tf.keras.losses.BinaryCrossentropy"),
    ), expect={"create_model": ("a multi-class cross-entropy loss",)},
        why="a class spelling of the wrong loss is still the wrong loss"),
]

# No rule the course does not make (issue 33, item 4): a crop is a Keras augmentation layer
# the notebook does not forbid; the grader's own augmentation model goes into create_model.
W2V4_AUGMENT = "c2w2v4-create-augmentation-model"
CASES += [
    Case("random_crop_in_the_augmentation", "C2W2v4", (
        (W2V4_AUGMENT, "tf.keras.layers.RandomZoom(0.2, fill_mode='nearest')",
         "tf.keras.layers.RandomZoom(0.2, fill_mode='nearest'),\n"
         "        tf.keras.layers.RandomCrop(80, 80)"),
    ), why="RandomCrop(80, 80) last: 81% on the real data"),
    Case("augmentation_that_changes_nothing", "C2W2v4", (
        (W2V4_AUGMENT, "tf.keras.layers.RandomFlip('horizontal'),\n", ""),
        (W2V4_AUGMENT, "tf.keras.layers.RandomRotation(0.2, fill_mode='nearest'),\n", ""),
        (W2V4_AUGMENT, "tf.keras.layers.RandomTranslation(0.2, 0.2, fill_mode='nearest'),\n",
         ""),
        (W2V4_AUGMENT, "tf.keras.layers.RandomZoom(0.2, fill_mode='nearest')",
         "tf.keras.layers.RandomZoom(0.0)"),
    ), expect={"create_augmentation_model": ("changes images at random",)},
        why="a zoom of 0 changes nothing"),
]

# The grader's substitutions must not cause failures (issue 33, item 5): 150x150 throughout
# is charged in the datasets, the augmentation model and create_model's input, once each;
# the grader's 120x120 augmentation cannot stack into it, so the learner's own is used.
INPUT_120, INPUT_150 = "tf.keras.Input(shape=(120, 120, 3))", "tf.keras.Input(shape=(150, 150, 3))"
CASES += [
    Case("150_pixels_throughout", "C2W2v4", (
        ("c2w2v4-train-val-datasets", "image_size=(120, 120)", "image_size=(150, 150)"),
        (W2V4_AUGMENT, INPUT_120, INPUT_150),
        (W2V4, INPUT_120, INPUT_150),
    ), expect={"train_val_datasets": ("yields (120, 120, 3) images with pixels 0-255",),
               "create_augmentation_model": ("takes (120, 120, 3) images",),
               "create_model": ("input shape is (120, 120, 3)",)},
        why="a consistent wrong size"),
]

# The graded globals are the grader's to provide (issue 33, item 1): a globals cell set for
# the learner's own machine is noted, not charged.
CASES += [
    Case("data_dir_on_my_machine", "C2W1v4", (
        ("c2w1v4-data-dir", "DATA_DIR = './PetImages'",
         "DATA_DIR = '/home/learner/coursera/C2/W1/assignment/PetImages'"),
    ), why="ran locally"),
    Case("relative_dirs_of_my_own", "C2W4v4", (
        ("c2w4v4-dirs", "TRAIN_DIR = 'data/train/'", "TRAIN_DIR = 'Files/data/train/'"),
        ("c2w4v4-dirs", "VALIDATION_DIR = 'data/validation/'",
         "VALIDATION_DIR = '../../W4/assignment/data/validation/'"),
    ), why="ran locally, from another folder"),
    Case("weights_downloaded_with_get_file", "C2W3v4", (
        ("c2w3v4-weights-file", "LOCAL_WEIGHTS_FILE = ",
         "LOCAL_WEIGHTS_FILE = tf.keras.utils.get_file('inception_v3.h5', 'https://example"
         ".org/inception_v3.h5')\n_COURSE_WEIGHTS = "),
    ), why="downloaded on Colab instead of the lab's ./model/ copy"),
]

# A function that ignores the global for a path of the learner's own machine: one check.
FROM_IDFD = "returns (training, validation) datasets from image_dataset_from_directory"
CASES += [
    Case("hard_coded_data_dir", "C2W1v4", (
        ("c2w1v4-train-val-datasets", "directory=DATA_DIR",
         "directory='/home/learner/coursera/PetImages'"),
    ), expect={"train_val_datasets": (FROM_IDFD,)}, why="DATA_DIR ignored"),
    Case("hard_coded_letter_dirs", "C2W4v4", (
        ("c2w4v4-train-val-datasets", "directory=TRAIN_DIR", "directory='Files/data/train/'"),
        ("c2w4v4-train-val-datasets", "directory=VALIDATION_DIR",
         "directory='Files/data/validation/'"),
    ), expect={"train_val_datasets": (FROM_IDFD,)}, why="TRAIN_DIR and VALIDATION_DIR ignored"),
]
