"""Realistic submissions: code the way real learners write it, each with the verdict the
grader owes it, part by part. `expect` maps a part to the checks that must fail there (every
other check of every part must pass); an empty dict means full marks.

A case is the reference solution with a few cell edits, so each case isolates the patterns
it is about; patterns that should all pass are grouped into one notebook to keep the suite
fast."""

from __future__ import annotations

from realistic.case import Case, Edit
from realistic.learning import CASES as LEARNING

C2W1_COMPILE = ("c2w1-create-model", """  model.compile(optimizer=RMSprop(learning_rate=0.001),
                loss='binary_crossentropy',
                metrics=['accuracy'])""")
C2W1_OUTPUT = ("c2w1-create-model", "tf.keras.layers.Dense(1, activation='sigmoid'),")
C2W1_MESSAGE = ("c2w1-split-data", 'print(f"{filename} is zero length, so ignoring.")')


def _compile(text: str) -> Edit:
    return (C2W1_COMPILE[0], C2W1_COMPILE[1], text)


CASES = [
    Case("keras_objects_and_loose_wording", "C2W1", (
        _compile("""  model.compile(optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                loss=tf.keras.losses.BinaryCrossentropy(),
                metrics=[tf.keras.metrics.BinaryAccuracy(name='acc')])"""),
        (C2W1_MESSAGE[0], C2W1_MESSAGE[1], 'print(f"{filename} is zero length, so ignoring")'),
        ("c2w1-split-data", "shuffled_files = random.sample(files, len(files))",
         "shuffled_files = list(files)\n  random.shuffle(shuffled_files)"),
        ("c2w1-split-data", "    copyfile(os.path.join(SOURCE_DIR, filename), "
         "os.path.join(TRAINING_DIR, filename))",
         "    shutil.copy(os.path.join(SOURCE_DIR, filename), TRAINING_DIR)"),
        ("c2w1-create-train-val-dirs", "os.makedirs(os.path.join(root_path, 'training', 'cats'))",
         "os.makedirs(os.path.join(root_path, 'training', 'cats'), exist_ok=True)"),
    ), why="loss/metric/optimizer objects, no final period, random.shuffle, shutil.copy"),
    Case("functional_logits_and_glued_message", "C2W1", (
        ("c2w1-create-model", "model = tf.keras.models.Sequential([\n"
         "      tf.keras.layers.Conv2D(16, (3, 3), activation='relu', input_shape=(150, 150, 3)),",
         "inputs = tf.keras.Input(shape=(150, 150, 3))\n"
         "  model = tf.keras.models.Sequential([\n"
         "      inputs,\n"
         "      tf.keras.layers.Conv2D(16, (3, 3), activation='relu'),"),
        (C2W1_OUTPUT[0], C2W1_OUTPUT[1], "tf.keras.layers.Dense(1),"),
        _compile("""  model.compile(optimizer=RMSprop(learning_rate=0.001),
                loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                metrics=['acc'])"""),
        (C2W1_MESSAGE[0], C2W1_MESSAGE[1], 'print(filename + "is zero length, so ignoring.")'),
        ("c2w1-split-data", "  for filename in os.listdir(SOURCE_DIR):\n"
         "    file_path = os.path.join(SOURCE_DIR, filename)",
         "  for path in pathlib.Path(SOURCE_DIR).iterdir():\n"
         "    filename, file_path = path.name, str(path)"),
        ("c2w1-imports", "import os\n", "import os\nimport pathlib\n"),
    ), why="Input(...) first, a linear output with from_logits=True, a glued message, pathlib"),
    Case("from_logits_after_sigmoid", "C2W1", (
        _compile("""  model.compile(optimizer=RMSprop(learning_rate=0.001),
                loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                metrics=['accuracy'])"""),
    ), expect={"create_model": ("output layer and loss fit two classes",)},
        why="from_logits=True after a sigmoid is a real mistake"),
    Case("grayscale_generators", "C2W1", (
        ("c2w1-train-val-generators", "class_mode='binary',\n"
         "                                                      target_size=(150, 150))",
         "class_mode='binary', color_mode='grayscale',\n"
         "                                                      target_size=(150, 150))"),
    ), expect={"train_val_generators": ("yields (150, 150, 3) float images, the model's input",)},
        why="(150, 150, 1) batches cannot feed the (150, 150, 3) model"),
    Case("message_without_the_file", "C2W1", (
        (C2W1_MESSAGE[0], C2W1_MESSAGE[1], 'print("a file is zero length, so ignoring.")'),
    ), expect={"split_data": ("prints '<file> is zero length, so ignoring.'",)},
        why="the message must name the file it skips"),
    Case("compile_objects", "C2W3", (
        ("c2w3-create-final-model", """    model.compile(optimizer=RMSprop(learning_rate=0.0001),
                  loss='binary_crossentropy',
                  metrics=['accuracy'])""",
         """    model.compile(optimizer=tf.keras.optimizers.RMSprop(learning_rate=1e-4),
                  loss=tf.keras.losses.BinaryCrossentropy(),
                  metrics=['acc'])"""),
    ), why="C2W3's compile check, written with Keras objects"),
    Case("sparse_objects_25_units", "C2W4", (
        ("c2w4-create-model", "tf.keras.layers.Dense(26, activation='softmax'),",
         "tf.keras.layers.Dense(25, activation='softmax'),"),
        ("c2w4-create-model", """  model.compile(optimizer='adam',
                loss='sparse_categorical_crossentropy',
                metrics=['accuracy'])""",
         """  model.compile(optimizer=tf.keras.optimizers.Adam(),
                loss=tf.keras.losses.SparseCategoricalCrossentropy(),
                metrics=[tf.keras.metrics.SparseCategoricalAccuracy(name='accuracy')])"""),
    ), why="25 softmax units (labels 0-24) and Keras objects"),
    Case("softmax_with_logits", "C2W4", (
        ("c2w4-create-model", "loss='sparse_categorical_crossentropy',",
         "loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),"),
    ), expect={"create_model": ("loss fits integer labels",)},
        why="from_logits=True after a softmax"),
]

# split_data does its job with references it saved, then sabotages the process it runs in:
# nothing of that may reach the other functions' verdicts (each runs in its own child).
SABOTAGING_SPLIT = '''def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
  import builtins
  listdir = getattr(os, "real_listdir", os.listdir)
  length = getattr(builtins, "real_len", len)
  os.real_listdir, builtins.real_len = listdir, length
  files = []
  for filename in listdir(SOURCE_DIR):
    if os.path.getsize(os.path.join(SOURCE_DIR, filename)) > 0:
      files.append(filename)
    else:
      print(f"{filename} is zero length, so ignoring.")
  files = sorted(files, key=lambda _: random.random())
  cut = int(length(files) * SPLIT_SIZE)
  for filename in files[:cut]:
    copyfile(os.path.join(SOURCE_DIR, filename), os.path.join(TRAINING_DIR, filename))
  for filename in files[cut:]:
    copyfile(os.path.join(SOURCE_DIR, filename), os.path.join(VALIDATION_DIR, filename))
  os.listdir = lambda *args, **kwargs: []
  builtins.len = lambda obj: 0
  os.chdir("/")
  random.seed(0)
  tf.random.set_seed(0)
'''
CASES.append(Case("split_data_sabotages_its_process", "C2W1", (
    ("c2w1-split-data", "def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):",
     SABOTAGING_SPLIT + "\n\ndef split_data_unused(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, "
     "SPLIT_SIZE):"),
), why="patched builtins.len and os.listdir, os.chdir, global seeds after its own work"))

CUT_OVER_EVERY_FILE = '''def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
  files = random.sample(os.listdir(SOURCE_DIR), len(os.listdir(SOURCE_DIR)))
  cut = int(len(files) * SPLIT_SIZE)
  for i, filename in enumerate(files):
    source = os.path.join(SOURCE_DIR, filename)
    if os.path.getsize(source) == 0:
      print(f"{filename} is zero length, so ignoring.")
      continue
    copyfile(source, os.path.join(TRAINING_DIR if i < cut else VALIDATION_DIR, filename))
'''
CASES.append(Case("cut_over_every_file", "C2W1", (
    ("c2w1-split-data", "def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):",
     CUT_OVER_EVERY_FILE + "\n\ndef split_data_unused(SOURCE_DIR, TRAINING_DIR, "
     "VALIDATION_DIR, SPLIT_SIZE):"),
), expect={"split_data": ("SPLIT_SIZE 0.9: int(n * 0.9) to training, the rest to validation",)},
    why="the cut counts the zero-length file: one mistake, one check, whatever the shuffle"))

# The notebook's own paths and globals inside graded functions: each costs the one check
# "uses its arguments, not the notebook's paths" (or, where a part has no such check, the one
# check that judges where the data came from); the rest is judged on what the function did.
ARGUMENTS = "uses its arguments, not the notebook's paths"
CASES += [
    Case("global_root_dir", "C2W1", (
        ("c2w1-create-train-val-dirs", "os.makedirs(os.path.join(root_path, 'training', 'cats'))",
         "os.makedirs(os.path.join(root_dir, 'training', 'cats'), exist_ok=True)"),
        ("c2w1-create-train-val-dirs", "os.makedirs(os.path.join(root_path, 'training', 'dogs'))",
         "os.makedirs(os.path.join(root_dir, 'training', 'dogs'), exist_ok=True)"),
        ("c2w1-create-train-val-dirs",
         "os.makedirs(os.path.join(root_path, 'validation', 'cats'))",
         "os.makedirs(os.path.join(root_dir, 'validation', 'cats'), exist_ok=True)"),
        ("c2w1-create-train-val-dirs",
         "os.makedirs(os.path.join(root_path, 'validation', 'dogs'))",
         "os.makedirs(os.path.join(root_dir, 'validation', 'dogs'), exist_ok=True)"),
    ), expect={"create_train_val_dirs": (ARGUMENTS,)},
        why="the notebook's root_dir: the right tree under the wrong root"),
    Case("course_paths_in_generators", "C2W2", (
        ("c2w2-train-val-generators", "directory=TRAINING_DIR",
         "directory='/tmp/cats-v-dogs/training'"),
    ), expect={"train_val_generators": (ARGUMENTS,)},
        why="'/tmp/cats-v-dogs/training' hard-coded in train_val_generators"),
    Case("course_paths_in_c2w3", "C2W3", (
        ("c2w3-train-val-generators", "directory=TRAINING_DIR", "directory=train_dir"),
        ("c2w3-create-pre-trained-model", "pre_trained_model.load_weights(local_weights_file)",
         "pre_trained_model.load_weights("
         "'/tmp/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5')"),
    ), expect={"train_val_generators": (ARGUMENTS,),
               "create_pre_trained_model": ("weights loaded from the file it is given",)},
        why="the global train_dir and the weights file's course path"),
    Case("course_csv_in_parse", "C2W4", (
        ("c2w4-parse-data-from-input", "with open(filename) as file:",
         "with open(TRAINING_FILE) as file:"),
    ), expect={"parse_data_from_input": ("values equal the CSV, header skipped",)},
        why="the notebook's TRAINING_FILE instead of the filename argument"),
]

PANDAS_PARSE = '''def parse_data_from_input(filename):
  frame = pd.read_csv(filename)
  labels = frame["label"].to_numpy(dtype=np.float64)
  images = frame.drop(columns=["label"]).to_numpy(dtype=np.float64).reshape(-1, 28, 28)
  return images, labels
'''
NUMPY_PARSE = '''def parse_data_from_input(filename):
  data = np.loadtxt(filename, delimiter=",", skiprows=1)
  return data[:, 1:].reshape((-1, 28, 28)), data[:, 0]
'''
FUNCTIONAL_MODEL = '''def create_model():
  inputs = tf.keras.Input(shape=(150, 150, 3))
  x = inputs
  for filters in (16, 32, 64):
    x = tf.keras.layers.Conv2D(filters, 3, activation="relu")(x)
    x = tf.keras.layers.MaxPooling2D()(x)
  x = tf.keras.layers.Flatten()(x)
  x = tf.keras.layers.Dense(512, activation="relu")(x)
  outputs = tf.keras.layers.Dense(1, activation="sigmoid")(x)
  model = tf.keras.Model(inputs=inputs, outputs=outputs)
  model.compile(optimizer="rmsprop", loss="bce", metrics=["binary_accuracy"])
  return model
'''


def _replace_function(cell: str, name: str, source: str) -> Edit:
    """Put `source` first in the cell and rename the reference's version out of the way."""
    head = f"def {name}("
    return (cell, head, source + f"\n\ndef {name}_reference(")


CASES += [
    Case("pandas_parse", "C2W4", (
        _replace_function("c2w4-parse-data-from-input", "parse_data_from_input", PANDAS_PARSE),
        ("c2w4-imports", "import numpy as np\n", "import numpy as np\nimport pandas as pd\n"),
    ), why="pandas.read_csv instead of csv.reader"),
    Case("numpy_parse", "C2W4", (
        _replace_function("c2w4-parse-data-from-input", "parse_data_from_input", NUMPY_PARSE),
    ), why="np.loadtxt, float64 by default"),
    Case("functional_model", "C2W1", (
        _replace_function("c2w1-create-model", "create_model", FUNCTIONAL_MODEL),
    ), why="tf.keras.Model(inputs, outputs), string optimizer, 'bce', 'binary_accuracy'"),
]

CASES += LEARNING
