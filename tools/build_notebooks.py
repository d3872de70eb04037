"""Build the reference-solution and blank-template notebooks from one shared cell list.

Each assignment is a list of :class:`Cell` entries. A cell is either markdown, or code with a
``solution`` source and a ``template`` source (the same text unless the cell has blanks to fill).
Both notebooks are generated from the same list, so they always have identical cells, cell ids
and tags; only the code between ``### START CODE HERE`` and ``### END CODE HERE`` differs.

Usage::

    python tools/build_notebooks.py            # (re)write every notebook
    python tools/build_notebooks.py --check    # exit 1 if a notebook on disk is out of date
    python tools/build_notebooks.py C2W1       # only the named assignment(s)

The output is deterministic: fixed cell ids, no outputs, no execution counts, sorted JSON keys,
so running the script twice gives byte-identical files.

To add an assignment, write another cell list (e.g. ``C3W1_CELLS``) and register it in
``ASSIGNMENTS``. Cells that an assignment shares with an earlier one are reused with a new id
(see ``_from_c2w1``), so the shared text lives in one place.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import nbformat
from nbformat import v4

REPO_ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_DIR = "solutions"
TEMPLATE_DIR = "student_template"

GRADED_TAG = "graded"
GRADER_REQUIRED = "# grader-required-cell"
START_MARKER = "### START CODE HERE"
END_MARKER = "### END CODE HERE"

NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")

Variant = Literal["solution", "template"]


# --------------------------------------------------------------------------------------------
# Cell model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One notebook cell shared by the solution and the template notebooks."""

    id: str
    cell_type: Literal["markdown", "code"]
    solution: str
    template: str | None = None  # None: same source as the solution
    tags: tuple[str, ...] = field(default=())

    def source(self, variant: Variant) -> str:
        if variant == "template" and self.template is not None:
            return self.template
        return self.solution

    @property
    def graded(self) -> bool:
        return GRADED_TAG in self.tags


def _src(text: str) -> str:
    """Dedent a triple-quoted source and drop the leading/trailing blank lines."""
    return textwrap.dedent(text).strip("\n")


def md(cell_id: str, text: str) -> Cell:
    return Cell(id=cell_id, cell_type="markdown", solution=_src(text))


def code(cell_id: str, source: str, tags: Iterable[str] = ()) -> Cell:
    """An ungraded (unless tagged) code cell, identical in both notebooks."""
    return Cell(id=cell_id, cell_type="code", solution=_src(source), tags=tuple(tags))


def graded(cell_id: str, solution: str, template: str | None = None) -> Cell:
    """A graded code cell; ``template`` is the blank version learners start from."""
    return Cell(
        id=cell_id,
        cell_type="code",
        solution=_src(solution),
        template=None if template is None else _src(template),
        tags=(GRADED_TAG,),
    )


# --------------------------------------------------------------------------------------------
# C2W1: Using CNN's with the Cats vs Dogs Dataset
# --------------------------------------------------------------------------------------------

C2W1_DATASET_URL = (
    "https://download.microsoft.com/download/3/E/1/"
    "3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip"
)

C2W1_CELLS: list[Cell] = [
    md(
        "c2w1-title",
        """
        # Week 1: Using CNN's with the Cats vs Dogs Dataset

        Welcome to the first assignment of the course! This week you will train a model that tells
        images of cats apart from images of dogs, using the full `Cats vs Dogs` dataset from the
        Kaggle challenge (25,000 images). You will build your own Convolutional Neural Network
        with TensorFlow and use Keras' image preprocessing utilities to feed it.

        Along the way you will also write a few helper functions that organize the images on the
        filesystem, so if the `os` module is new to you, have a look at its
        [documentation](https://docs.python.org/3/library/os.html).

        **Important for correct grading:** do not delete cells (they carry metadata the grader
        needs) and write your solutions only between `### START CODE HERE` and
        `### END CODE HERE`. You may add new cells, but the grader ignores them.

        Let's get started!
        """,
    ),
    graded(
        "c2w1-imports",
        """
        # grader-required-cell

        import os
        import zipfile
        import random
        import shutil
        import tensorflow as tf
        from tensorflow.keras.optimizers import RMSprop
        from tensorflow.keras.preprocessing.image import ImageDataGenerator
        from shutil import copyfile
        import matplotlib.pyplot as plt
        """,
    ),
    md(
        "c2w1-download-md",
        """
        Run the next cell to download the dataset from Microsoft and extract it. The `zip` file is
        saved and unzipped under the `/tmp` directory.
        """,
    ),
    code(
        "c2w1-download",
        r"""
        # If the URL doesn't work, go to https://www.microsoft.com/en-us/download/details.aspx?id=54765
        # and copy the address of the download link to get a fresh URL for the dataset

        # Note: this is a large dataset, so the download takes a while

        !wget --no-check-certificate \
            "{DATASET_URL}" \
            -O "/tmp/cats-and-dogs.zip"

        local_zip = '/tmp/cats-and-dogs.zip'
        zip_ref   = zipfile.ZipFile(local_zip, 'r')
        zip_ref.extractall('/tmp')
        zip_ref.close()
        """.replace("{DATASET_URL}", C2W1_DATASET_URL),
    ),
    md(
        "c2w1-count-md",
        """
        The images now live in `/tmp/PetImages`, with one subdirectory per class: `Cat` and `Dog`.
        The archive also ships two non-image files (`Thumbs.db`), which the next cell removes
        before counting the images of each class.
        """,
    ),
    code(
        "c2w1-count",
        """
        source_path = '/tmp/PetImages'

        source_path_dogs = os.path.join(source_path, 'Dog')
        source_path_cats = os.path.join(source_path, 'Cat')

        # Deletes all non-image files (there are two .db files bundled into the dataset)
        !find /tmp/PetImages/ -type f ! -name "*.jpg" -exec rm {} +

        # os.listdir returns a list containing all files under the given path
        print(f"There are {len(os.listdir(source_path_dogs))} images of dogs.")
        print(f"There are {len(os.listdir(source_path_cats))} images of cats.")
        """,
    ),
    md(
        "c2w1-count-expected",
        """
        **Expected Output:**

        ```
        There are 12500 images of dogs.
        There are 12500 images of cats.
        ```
        """,
    ),
    md(
        "c2w1-dirs-md",
        """
        To train and validate the model you need a directory `cats-v-dogs` holding a `training`
        and a `validation` subdirectory, each of which in turn holds a `cats` and a `dogs`
        subdirectory. Complete the `create_train_val_dirs` function below so that it creates this
        tree under `root_path`.
        """,
    ),
    graded(
        "c2w1-create-train-val-dirs",
        solution=r'''
        # grader-required-cell

        # Define root directory
        root_dir = '/tmp/cats-v-dogs'

        # Empty directory to prevent FileExistsError is the function is run several times
        if os.path.exists(root_dir):
          shutil.rmtree(root_dir)

        # GRADED FUNCTION: create_train_val_dirs
        def create_train_val_dirs(root_path):
          """
          Creates directories for the train and test sets

          Args:
            root_path (string) - the base directory path to create subdirectories from

          Returns:
            None
          """
          ### START CODE HERE

          # HINT:
          # Use os.makedirs to create your directories with intermediate subdirectories
          # Don't hardcode the paths. Use os.path.join to append the new directories to the
          # root_path parameter

          os.makedirs(os.path.join(root_path, 'training', 'cats'))
          os.makedirs(os.path.join(root_path, 'training', 'dogs'))
          os.makedirs(os.path.join(root_path, 'validation', 'cats'))
          os.makedirs(os.path.join(root_path, 'validation', 'dogs'))

          ### END CODE HERE


        try:
          create_train_val_dirs(root_path=root_dir)
        except FileExistsError:
          print("You should not be seeing this since the upper directory is removed beforehand")
        ''',
        template=r'''
        # grader-required-cell

        # Define root directory
        root_dir = '/tmp/cats-v-dogs'

        # Empty directory to prevent FileExistsError is the function is run several times
        if os.path.exists(root_dir):
          shutil.rmtree(root_dir)

        # GRADED FUNCTION: create_train_val_dirs
        def create_train_val_dirs(root_path):
          """
          Creates directories for the train and test sets

          Args:
            root_path (string) - the base directory path to create subdirectories from

          Returns:
            None
          """
          ### START CODE HERE

          # HINT:
          # Use os.makedirs to create your directories with intermediate subdirectories
          # Don't hardcode the paths. Use os.path.join to append the new directories to the
          # root_path parameter

          pass

          ### END CODE HERE


        try:
          create_train_val_dirs(root_path=root_dir)
        except FileExistsError:
          print("You should not be seeing this since the upper directory is removed beforehand")
        ''',
    ),
    graded(
        "c2w1-dirs-tree",
        """
        # grader-required-cell

        # Test your create_train_val_dirs function

        for rootdir, dirs, files in os.walk(root_dir):
            for subdir in dirs:
                print(os.path.join(rootdir, subdir))
        """,
    ),
    md(
        "c2w1-dirs-expected",
        """
        **Expected Output (directory order might vary):**

        ``` txt
        /tmp/cats-v-dogs/training
        /tmp/cats-v-dogs/validation
        /tmp/cats-v-dogs/training/cats
        /tmp/cats-v-dogs/training/dogs
        /tmp/cats-v-dogs/validation/cats
        /tmp/cats-v-dogs/validation/dogs
        ```
        """,
    ),
    md(
        "c2w1-split-md",
        """
        Next, code the `split_data` function, which takes these arguments:

        - `SOURCE_DIR`: the directory that holds the images of one class
        - `TRAINING_DIR`: the directory that receives the training share of the images
        - `VALIDATION_DIR`: the directory that receives the rest of the images, for validation
        - `SPLIT_SIZE`: the fraction of the images that goes to training

        The split must be random: shuffle the images, copy the first `SPLIT_SIZE` share of them to
        `TRAINING_DIR` and the remaining ones to `VALIDATION_DIR`. For example, with
        `SOURCE_DIR` set to `PetImages/Cat` and `SPLIT_SIZE` set to .9, 90% of the cat images are
        copied to `TRAINING_DIR` and 10% to `VALIDATION_DIR`. Copy the files; do not move them.

        Some files are empty. Check every file's size first and leave out the zero-length ones,
        printing a message such as `"filename is zero length, so ignoring."` for each. **Do this
        check before the split, so that only non-empty images are counted when splitting.**

        Hints:

        - `os.listdir(DIRECTORY)` returns a list with the contents of that directory.
        - `os.path.getsize(PATH)` returns the size of a file.
        - `copyfile(source, destination)` copies a file from source to destination.
        - `random.sample(list, len(list))` returns a shuffled copy of a list.
        """,
    ),
    graded(
        "c2w1-split-data",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: split_data
        def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
          """
          Splits the data into train and test sets

          Args:
            SOURCE_DIR (string): directory path containing the images
            TRAINING_DIR (string): directory path to be used for training
            VALIDATION_DIR (string): directory path to be used for validation
            SPLIT_SIZE (float): proportion of the dataset to be used for training

          Returns:
            None
          """

          ### START CODE HERE
          files = []
          for filename in os.listdir(SOURCE_DIR):
            file_path = os.path.join(SOURCE_DIR, filename)
            if os.path.getsize(file_path) > 0:
              files.append(filename)
            else:
              print(f"{filename} is zero length, so ignoring.")

          shuffled_files = random.sample(files, len(files))
          training_length = int(len(files) * SPLIT_SIZE)
          training_files = shuffled_files[:training_length]
          validation_files = shuffled_files[training_length:]

          for filename in training_files:
            copyfile(os.path.join(SOURCE_DIR, filename), os.path.join(TRAINING_DIR, filename))

          for filename in validation_files:
            copyfile(os.path.join(SOURCE_DIR, filename), os.path.join(VALIDATION_DIR, filename))

          ### END CODE HERE
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: split_data
        def split_data(SOURCE_DIR, TRAINING_DIR, VALIDATION_DIR, SPLIT_SIZE):
          """
          Splits the data into train and test sets

          Args:
            SOURCE_DIR (string): directory path containing the images
            TRAINING_DIR (string): directory path to be used for training
            VALIDATION_DIR (string): directory path to be used for validation
            SPLIT_SIZE (float): proportion of the dataset to be used for training

          Returns:
            None
          """

          ### START CODE HERE
          pass

          ### END CODE HERE
        ''',
    ),
    graded(
        "c2w1-split-test",
        r"""
        # grader-required-cell

        # Test your split_data function

        # Define paths
        CAT_SOURCE_DIR = "/tmp/PetImages/Cat/"
        DOG_SOURCE_DIR = "/tmp/PetImages/Dog/"

        TRAINING_DIR = "/tmp/cats-v-dogs/training/"
        VALIDATION_DIR = "/tmp/cats-v-dogs/validation/"

        TRAINING_CATS_DIR = os.path.join(TRAINING_DIR, "cats/")
        VALIDATION_CATS_DIR = os.path.join(VALIDATION_DIR, "cats/")

        TRAINING_DOGS_DIR = os.path.join(TRAINING_DIR, "dogs/")
        VALIDATION_DOGS_DIR = os.path.join(VALIDATION_DIR, "dogs/")

        # Empty directories in case you run this cell multiple times
        if len(os.listdir(TRAINING_CATS_DIR)) > 0:
          for file in os.scandir(TRAINING_CATS_DIR):
            os.remove(file.path)
        if len(os.listdir(TRAINING_DOGS_DIR)) > 0:
          for file in os.scandir(TRAINING_DOGS_DIR):
            os.remove(file.path)
        if len(os.listdir(VALIDATION_CATS_DIR)) > 0:
          for file in os.scandir(VALIDATION_CATS_DIR):
            os.remove(file.path)
        if len(os.listdir(VALIDATION_DOGS_DIR)) > 0:
          for file in os.scandir(VALIDATION_DOGS_DIR):
            os.remove(file.path)

        # Define proportion of images used for training
        split_size = .9

        # Run the function
        # NOTE: Messages about zero length images should be printed out
        split_data(CAT_SOURCE_DIR, TRAINING_CATS_DIR, VALIDATION_CATS_DIR, split_size)
        split_data(DOG_SOURCE_DIR, TRAINING_DOGS_DIR, VALIDATION_DOGS_DIR, split_size)

        # Your function should perform copies rather than moving images so original directories
        # should contain unchanged images
        print(f"\n\nOriginal cat's directory has {len(os.listdir(CAT_SOURCE_DIR))} images")
        print(f"Original dog's directory has {len(os.listdir(DOG_SOURCE_DIR))} images\n")

        # Training and validation splits
        print(f"There are {len(os.listdir(TRAINING_CATS_DIR))} images of cats for training")
        print(f"There are {len(os.listdir(TRAINING_DOGS_DIR))} images of dogs for training")
        print(f"There are {len(os.listdir(VALIDATION_CATS_DIR))} images of cats for validation")
        print(f"There are {len(os.listdir(VALIDATION_DOGS_DIR))} images of dogs for validation")
        """,
    ),
    md(
        "c2w1-split-expected",
        """
        **Expected Output:**

        ```
        666.jpg is zero length, so ignoring.
        11702.jpg is zero length, so ignoring.


        Original cat's directory has 12500 images
        Original dog's directory has 12500 images

        There are 11249 images of cats for training
        There are 11249 images of dogs for training
        There are 1250 images of cats for validation
        There are 1250 images of dogs for validation
        ```
        """,
    ),
    md(
        "c2w1-generators-md",
        """
        With the images organized in this layout, Keras' `ImageDataGenerator` can read them
        directly. Complete the `train_val_generators` function below so that it returns two
        generators that yield batches of images: one for training and one for validation.

        The images come in many different resolutions. `flow_from_directory` resizes every image
        to the resolution given by its `target_size` argument. **For this exercise, use a
        `target_size` of (150, 150).** Remember to rescale the pixel values to the [0, 1] range.

        **Hint:** do not add data augmentation to the `ImageDataGenerator` this week. It would make
        the model slower to reach the accuracy needed to pass; augmentation is next week's topic.
        """,
    ),
    graded(
        "c2w1-train-val-generators",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
          """
          Creates the training and validation data generators

          Args:
            TRAINING_DIR (string): directory path containing the training images
            VALIDATION_DIR (string): directory path containing the testing/validation images

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          train_datagen = ImageDataGenerator(rescale=1.0/255.)

          # Pass in the appropriate arguments to the flow_from_directory method
          train_generator = train_datagen.flow_from_directory(directory=TRAINING_DIR,
                                                              batch_size=32,
                                                              class_mode='binary',
                                                              target_size=(150, 150))

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          validation_datagen = ImageDataGenerator(rescale=1.0/255.)

          # Pass in the appropriate arguments to the flow_from_directory method
          validation_generator = validation_datagen.flow_from_directory(directory=VALIDATION_DIR,
                                                                        batch_size=32,
                                                                        class_mode='binary',
                                                                        target_size=(150, 150))
          ### END CODE HERE
          return train_generator, validation_generator
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
          """
          Creates the training and validation data generators

          Args:
            TRAINING_DIR (string): directory path containing the training images
            VALIDATION_DIR (string): directory path containing the testing/validation images

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          train_datagen = None

          # Pass in the appropriate arguments to the flow_from_directory method
          train_generator = train_datagen.flow_from_directory(directory=None,
                                                              batch_size=None,
                                                              class_mode=None,
                                                              target_size=(None, None))

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          validation_datagen = None

          # Pass in the appropriate arguments to the flow_from_directory method
          validation_generator = validation_datagen.flow_from_directory(directory=None,
                                                                        batch_size=None,
                                                                        class_mode=None,
                                                                        target_size=(None, None))
          ### END CODE HERE
          return train_generator, validation_generator
        ''',
    ),
    graded(
        "c2w1-generators-test",
        """
        # grader-required-cell

        # Test your generators
        train_generator, validation_generator = train_val_generators(TRAINING_DIR, VALIDATION_DIR)
        """,
    ),
    md(
        "c2w1-generators-expected",
        """
        **Expected Output:**

        ```
        Found 22498 images belonging to 2 classes.
        Found 2500 images belonging to 2 classes.
        ```
        """,
    ),
    md(
        "c2w1-model-md",
        """
        The last step before training is to define the model. Complete the `create_model`
        function below so that it returns a compiled Keras `Sequential` model that takes
        150x150 RGB images.

        Choose a `loss` that matches the `class_mode` you used for the generators, and make the
        last layer of the network produce outputs of the matching shape; if they don't match,
        you will get an error when training starts.

        **Use at least 3 convolution layers to reach the required performance.**
        """,
    ),
    graded(
        "c2w1-create-model",
        solution=r"""
        # grader-required-cell

        # GRADED FUNCTION: create_model
        def create_model():
          # DEFINE A KERAS MODEL TO CLASSIFY CATS V DOGS
          # USE AT LEAST 3 CONVOLUTION LAYERS

          ### START CODE HERE

          model = tf.keras.models.Sequential([
              tf.keras.layers.Conv2D(16, (3, 3), activation='relu', input_shape=(150, 150, 3)),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Conv2D(32, (3, 3), activation='relu'),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Flatten(),
              tf.keras.layers.Dense(512, activation='relu'),
              tf.keras.layers.Dense(1, activation='sigmoid'),
          ])


          model.compile(optimizer=RMSprop(learning_rate=0.001),
                        loss='binary_crossentropy',
                        metrics=['accuracy'])

          ### END CODE HERE

          return model
        """,
        template=r"""
        # grader-required-cell

        # GRADED FUNCTION: create_model
        def create_model():
          # DEFINE A KERAS MODEL TO CLASSIFY CATS V DOGS
          # USE AT LEAST 3 CONVOLUTION LAYERS

          ### START CODE HERE

          model = tf.keras.models.Sequential([
              None,
          ])


          model.compile(optimizer=None,
                        loss=None,
                        metrics=['accuracy'])

          ### END CODE HERE

          return model
        """,
    ),
    md(
        "c2w1-train-md",
        """
        Now it is time to train your model!

        **Note:** you can ignore `UserWarning: Possibly corrupt EXIF data.` warnings: some images
        carry broken metadata, but their pixels are fine.
        """,
    ),
    code(
        "c2w1-train",
        """
        # Get the untrained model
        model = create_model()

        # Train the model
        # Note that this may take some time.
        history = model.fit(train_generator,
                            epochs=15,
                            verbose=1,
                            validation_data=validation_generator)
        """,
    ),
    md(
        "c2w1-plot-md",
        """
        Once training has finished, run the next cell to plot the training and validation
        accuracy and loss at the end of each epoch.

        **To pass this assignment, your model must reach a training accuracy of at least 95% and a
        validation accuracy of at least 80%.** If it falls short, try training again with a
        different architecture, keeping at least 3 convolutional layers.
        """,
    ),
    code(
        "c2w1-plot",
        """
        #-----------------------------------------------------------
        # Retrieve a list of list results on training and test data
        # sets for each training epoch
        #-----------------------------------------------------------
        acc = history.history['accuracy']
        val_acc = history.history['val_accuracy']
        loss = history.history['loss']
        val_loss = history.history['val_loss']

        epochs = range(len(acc)) # Get number of epochs

        #------------------------------------------------
        # Plot training and validation accuracy per epoch
        #------------------------------------------------
        plt.plot(epochs, acc, 'r', label="Training Accuracy")
        plt.plot(epochs, val_acc, 'b', label="Validation Accuracy")
        plt.title('Training and validation accuracy')
        plt.legend()
        plt.show()
        print("")

        #------------------------------------------------
        # Plot training and validation loss per epoch
        #------------------------------------------------
        plt.plot(epochs, loss, 'r', label="Training Loss")
        plt.plot(epochs, val_loss, 'b', label="Validation Loss")
        plt.title('Training and validation loss')
        plt.legend()
        plt.show()
        """,
    ),
    md(
        "c2w1-history-md",
        """
        Your model will most likely overfit: it does very well on the training images but worse
        on images it has not seen. That is expected for now; next week you will learn how to
        reduce overfitting.

        Besides this notebook, you must submit the `history.pkl` file, which holds your model's
        training history. Run the cell below to save and download it.
        """,
    ),
    code(
        "c2w1-download-history",
        """
        def download_history():
          import pickle
          from google.colab import files

          with open('history.pkl', 'wb') as f:
            pickle.dump(history.history, f)

          files.download('history.pkl')

        download_history()
        """,
    ),
    md(
        "c2w1-submit-md",
        """
        You also need to submit this notebook. To download it from Colab, open the `File` menu and
        choose `Download` -> `Download .ipynb`. Any file name works, as long as it is a valid
        `.ipynb` (Jupyter notebook) file.
        """,
    ),
    md(
        "c2w1-congrats-md",
        """
        **Congratulations on finishing this week's assignment!**

        You have built a convolutional neural network that classifies images of cats and dogs,
        together with the helper functions that prepare the images for it.

        **Keep it up!**
        """,
    ),
]


# --------------------------------------------------------------------------------------------
# C2W2: Tackle Overfitting with Data Augmentation
# --------------------------------------------------------------------------------------------

_C2W1_BY_ID = {cell.id: cell for cell in C2W1_CELLS}


def _from_c2w1(suffix: str) -> Cell:
    """C2W1's cell ``c2w1-<suffix>``, unchanged except for its id (``c2w2-<suffix>``)."""
    return replace(_C2W1_BY_ID[f"c2w1-{suffix}"], id=f"c2w2-{suffix}")


C2W2_CELLS: list[Cell] = [
    md(
        "c2w2-title",
        """
        # Week 2: Tackle Overfitting with Data Augmentation

        Welcome to this week's assignment! As last week, you will train a model that tells images
        of cats apart from images of dogs, using the `Cats vs Dogs` dataset, with your own
        Convolutional Neural Network built in TensorFlow. This time you will lean more heavily on
        Keras' image preprocessing utilities, because they can also **augment** the training
        images: random rotations, shifts, shears, zooms and flips that show the model a slightly
        different picture at every epoch, which helps against overfitting.

        You will again write the helper functions that organize the images on the filesystem, so
        if the `os` module is new to you, have a look at its
        [documentation](https://docs.python.org/3/library/os.html).

        **Important for correct grading:** do not delete cells (they carry metadata the grader
        needs) and write your solutions only between `### START CODE HERE` and
        `### END CODE HERE`. You may add new cells, but the grader ignores them.

        Let's get started!
        """,
    ),
    _from_c2w1("imports"),
    _from_c2w1("download-md"),
    _from_c2w1("download"),
    _from_c2w1("count-md"),
    _from_c2w1("count"),
    _from_c2w1("count-expected"),
    _from_c2w1("dirs-md"),
    _from_c2w1("create-train-val-dirs"),
    _from_c2w1("dirs-tree"),
    _from_c2w1("dirs-expected"),
    _from_c2w1("split-md"),
    _from_c2w1("split-data"),
    _from_c2w1("split-test"),
    _from_c2w1("split-expected"),
    md(
        "c2w2-generators-md",
        """
        With the images organized in this layout, Keras' `ImageDataGenerator` can read them
        directly. Complete the `train_val_generators` function below so that it returns two
        generators that yield batches of images: one for training and one for validation.

        The images come in many different resolutions. `flow_from_directory` resizes every image
        to the resolution given by its `target_size` argument. **For this exercise, use a
        `target_size` of (150, 150).** Remember to rescale the pixel values to the [0, 1] range.

        This week the **training** generator should also augment the images. The template lists
        the arguments of `ImageDataGenerator` to set for this: `rotation_range`,
        `width_shift_range`, `height_shift_range`, `shear_range`, `zoom_range`,
        `horizontal_flip` and `fill_mode`. The **validation** images must not be augmented:
        only rescale them.
        """,
    ),
    graded(
        "c2w2-train-val-generators",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
          """
          Creates the training and validation data generators

          Args:
            TRAINING_DIR (string): directory path containing the training images
            VALIDATION_DIR (string): directory path containing the testing/validation images

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # Instantiate the ImageDataGenerator class (don't forget to set the arguments to augment the images)
          train_datagen = ImageDataGenerator(rescale=1./255.,
                                             rotation_range=40,
                                             width_shift_range=0.2,
                                             height_shift_range=0.2,
                                             shear_range=0.2,
                                             zoom_range=0.2,
                                             horizontal_flip=True,
                                             fill_mode='nearest')

          # Pass in the appropriate arguments to the flow_from_directory method
          train_generator = train_datagen.flow_from_directory(directory=TRAINING_DIR,
                                                              batch_size=32,
                                                              class_mode='binary',
                                                              target_size=(150, 150))

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          validation_datagen = ImageDataGenerator(rescale=1./255.)

          # Pass in the appropriate arguments to the flow_from_directory method
          validation_generator = validation_datagen.flow_from_directory(directory=VALIDATION_DIR,
                                                                        batch_size=32,
                                                                        class_mode='binary',
                                                                        target_size=(150, 150))
          ### END CODE HERE
          return train_generator, validation_generator
        ''',  # noqa: E501
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
          """
          Creates the training and validation data generators

          Args:
            TRAINING_DIR (string): directory path containing the training images
            VALIDATION_DIR (string): directory path containing the testing/validation images

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # Instantiate the ImageDataGenerator class (don't forget to set the arguments to augment the images)
          train_datagen = ImageDataGenerator(rescale=None,
                                             rotation_range=None,
                                             width_shift_range=None,
                                             height_shift_range=None,
                                             shear_range=None,
                                             zoom_range=None,
                                             horizontal_flip=None,
                                             fill_mode=None)

          # Pass in the appropriate arguments to the flow_from_directory method
          train_generator = train_datagen.flow_from_directory(directory=None,
                                                              batch_size=None,
                                                              class_mode=None,
                                                              target_size=(None, None))

          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          validation_datagen = ImageDataGenerator(rescale=None)

          # Pass in the appropriate arguments to the flow_from_directory method
          validation_generator = validation_datagen.flow_from_directory(directory=None,
                                                                        batch_size=None,
                                                                        class_mode=None,
                                                                        target_size=(None, None))
          ### END CODE HERE
          return train_generator, validation_generator
        ''',  # noqa: E501
    ),
    _from_c2w1("generators-test"),
    _from_c2w1("generators-expected"),
    md(
        "c2w2-model-md",
        """
        The last step before training is to define the model. Complete the `create_model`
        function below so that it returns a compiled Keras `Sequential` model that takes
        150x150 RGB images.

        Choose a `loss` that matches the `class_mode` you used for the generators, and make the
        last layer of the network produce outputs of the matching shape; if they don't match,
        you will get an error when training starts.

        Augmented images are harder to fit than the originals, so the model needs enough
        capacity. **Use at least 3 convolution layers to reach the required performance.**
        """,
    ),
    graded(
        "c2w2-create-model",
        solution=r"""
        # grader-required-cell

        # GRADED FUNCTION: create_model
        def create_model():
          # DEFINE A KERAS MODEL TO CLASSIFY CATS V DOGS
          # USE AT LEAST 3 CONVOLUTION LAYERS

          ### START CODE HERE

          model = tf.keras.models.Sequential([
              tf.keras.layers.Conv2D(16, (3, 3), activation='relu', input_shape=(150, 150, 3)),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Conv2D(32, (3, 3), activation='relu'),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Flatten(),
              tf.keras.layers.Dense(512, activation='relu'),
              tf.keras.layers.Dense(1, activation='sigmoid'),
          ])


          model.compile(optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                        loss='binary_crossentropy',
                        metrics=['accuracy'])

          ### END CODE HERE

          return model
        """,
        template=_C2W1_BY_ID["c2w1-create-model"].template,
    ),
    md(
        "c2w2-train-md",
        """
        Now it is time to train your model! Augmenting the images costs some time, so each epoch
        takes longer than last week's.

        **Note:** you can ignore `UserWarning: Possibly corrupt EXIF data.` warnings: some images
        carry broken metadata, but their pixels are fine.
        """,
    ),
    _from_c2w1("train"),
    md(
        "c2w2-plot-md",
        """
        Once training has finished, run the next cell to plot the training and validation
        accuracy and loss at the end of each epoch.

        **To pass this assignment, your model must reach a training and a validation accuracy of
        at least 80%, and the validation accuracy must either be higher than the training
        accuracy or stay within 5 percentage points below it.** If it falls short, try training
        again with a different architecture or different augmentation settings.
        """,
    ),
    _from_c2w1("plot"),
    md(
        "c2w2-history-md",
        """
        Thanks to augmentation, the training and validation curves should now stay much closer
        together than last week: the model keeps improving on images it has not seen instead of
        memorizing the training set.

        Besides this notebook, you must submit the `history_augmented.pkl` file, which holds your
        model's training history. Run the cell below to save and download it.
        """,
    ),
    code(
        "c2w2-download-history",
        """
        def download_history():
          import pickle
          from google.colab import files

          with open('history_augmented.pkl', 'wb') as f:
            pickle.dump(history.history, f)

          files.download('history_augmented.pkl')

        download_history()
        """,
    ),
    _from_c2w1("submit-md"),
    md(
        "c2w2-congrats-md",
        """
        **Congratulations on finishing this week's assignment!**

        You have built a convolutional neural network that classifies images of cats and dogs,
        and used data augmentation to keep it from overfitting the training images.

        **Keep it up!**
        """,
    ),
]


# --------------------------------------------------------------------------------------------
# C2W3: Transfer Learning (Horses vs Humans with InceptionV3)
# --------------------------------------------------------------------------------------------

C2W3_DATA_URL = "https://storage.googleapis.com/tensorflow-1-public/course2/week3"
C2W3_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
C2W3_WEIGHTS_URL = f"https://storage.googleapis.com/mledu-datasets/{C2W3_WEIGHTS_FILE}"

C2W3_CELLS: list[Cell] = [
    md(
        "c2w3-title",
        """
        # Week 3: Transfer Learning

        Welcome to this week's assignment! So far you have trained every network from scratch.
        This time you will use **transfer learning**: you take a network that has already been
        trained on a very large dataset, keep the features it learned, and put a small
        classifier of your own on top of it to solve a related problem, here telling horses
        apart from humans.

        **Important for correct grading:** do not delete cells (they carry metadata the grader
        needs) and write your solutions only between `### START CODE HERE` and
        `### END CODE HERE`. You may add new cells, but the grader ignores them.

        Let's get started!
        """,
    ),
    graded(
        "c2w3-imports",
        """
        # grader-required-cell

        import os
        import zipfile
        import matplotlib.pyplot as plt
        import tensorflow as tf
        from tensorflow.keras import layers
        from tensorflow.keras import Model
        from tensorflow.keras.optimizers import RMSprop
        from tensorflow.keras.preprocessing.image import ImageDataGenerator
        from tensorflow.keras.preprocessing.image import img_to_array, load_img
        """,
    ),
    md(
        "c2w3-dataset-md",
        """
        ## Dataset

        This assignment uses the `Horse or Human` dataset: pictures of horses and of humans in
        many different poses.

        Run the next cell to download the `training` and `validation` sets and extract them
        under the `/tmp` directory.
        """,
    ),
    code(
        "c2w3-download",
        """
        # Get the Horse or Human training dataset
        !wget -q -P /tmp/ {DATA_URL}/horse-or-human.zip

        # Get the Horse or Human validation dataset
        !wget -q -P /tmp/ {DATA_URL}/validation-horse-or-human.zip

        test_local_zip = '/tmp/horse-or-human.zip'
        zip_ref = zipfile.ZipFile(test_local_zip, 'r')
        zip_ref.extractall('/tmp/training')

        val_local_zip = '/tmp/validation-horse-or-human.zip'
        zip_ref = zipfile.ZipFile(val_local_zip, 'r')
        zip_ref.extractall('/tmp/validation')

        zip_ref.close()
        """.replace("{DATA_URL}", C2W3_DATA_URL),
    ),
    md(
        "c2w3-paths-md",
        """
        Unlike the cats and dogs images of the previous weeks, this dataset already comes with
        one subdirectory per class (`horses` and `humans`), the layout that Keras'
        `flow_from_directory` expects, so there is nothing to move around this time. It is still
        handy to keep the paths of these directories in variables for later use:
        """,
    ),
    graded(
        "c2w3-paths",
        """
        # grader-required-cell

        # Define the training and validation base directories
        train_dir = '/tmp/training'
        validation_dir = '/tmp/validation'

        # Directory with training horse pictures
        train_horses_dir = os.path.join(train_dir, 'horses')
        # Directory with training humans pictures
        train_humans_dir = os.path.join(train_dir, 'humans')
        # Directory with validation horse pictures
        validation_horses_dir = os.path.join(validation_dir, 'horses')
        # Directory with validation human pictures
        validation_humans_dir = os.path.join(validation_dir, 'humans')
        """,
    ),
    md(
        "c2w3-count-md",
        """
        Count the images of each class in each set:
        """,
    ),
    code(
        "c2w3-count",
        r"""
        # Check the number of images for each class and set
        print(f"There are {len(os.listdir(train_horses_dir))} images of horses for training.\n")
        print(f"There are {len(os.listdir(train_humans_dir))} images of humans for training.\n")
        print(f"There are {len(os.listdir(validation_horses_dir))} images of horses for validation.\n")
        print(f"There are {len(os.listdir(validation_humans_dir))} images of humans for validation.\n")
        """,  # noqa: E501
    ),
    md(
        "c2w3-count-expected",
        """
        **Expected Output:**

        ```
        There are 500 images of horses for training.

        There are 527 images of humans for training.

        There are 128 images of horses for validation.

        There are 128 images of humans for validation.

        ```
        """,
    ),
    md(
        "c2w3-sample-md",
        """
        Now have a look at one picture of each class:
        """,
    ),
    code(
        "c2w3-sample-images",
        r"""
        print("Sample horse image:")
        plt.imshow(load_img(f"{os.path.join(train_horses_dir, os.listdir(train_horses_dir)[0])}"))
        plt.show()

        print("\nSample human image:")
        plt.imshow(load_img(f"{os.path.join(train_humans_dir, os.listdir(train_humans_dir)[0])}"))
        plt.show()
        """,
    ),
    md(
        "c2w3-shape-md",
        """
        The plots already suggest that the pictures are in color and 300 pixels on each side.
        You can confirm it by turning one of them into an array and looking at its shape:
        """,
    ),
    code(
        "c2w3-sample-shape",
        """
        # Load the first example of a horse
        sample_image  = load_img(f"{os.path.join(train_horses_dir, os.listdir(train_horses_dir)[0])}")

        # Convert the image into its numpy array representation
        sample_array = img_to_array(sample_image)

        print(f"Each image has shape: {sample_array.shape}")
        """,  # noqa: E501
    ),
    md(
        "c2w3-shape-expected",
        """
        **Expected Output:**

        ```
        Each image has shape: (300, 300, 3)
        ```

        The first two dimensions are the 300x300 resolution and the last one holds the three
        RGB color channels.
        """,
    ),
    md(
        "c2w3-generators-md",
        """
        ## Training and Validation Generators

        Now that you know what the images look like, code the generators that will feed them to
        the network. Complete the `train_val_generators` function below so that it returns one
        generator for training and one for validation.

        Augment the **training** images with the `ImageDataGenerator` arguments you met last
        week, and rescale the pixel values of both sets to the [0, 1] range; the **validation**
        images must only be rescaled. Use batches of 32 images and the `'binary'` class mode.

        **Important Note:** the images are 300x300, but `flow_from_directory` resizes them to the
        resolution given by its `target_size` argument. **Use a `target_size` of (150, 150).**
        Smaller images mean far fewer parameters in the final network and much faster training,
        without hurting its accuracy.
        """,
    ),
    graded(
        "c2w3-train-val-generators",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
            """
            Creates the training and validation data generators

            Args:
              TRAINING_DIR (string): directory path containing the training images
              VALIDATION_DIR (string): directory path containing the testing/validation images

            Returns:
              train_generator, validation_generator: tuple containing the generators
            """
            ### START CODE HERE

            # Instantiate the ImageDataGenerator class
            # Don't forget to normalize pixel values and set arguments to augment the images
            train_datagen = ImageDataGenerator(rescale=1./255.,
                                               rotation_range=40,
                                               width_shift_range=0.2,
                                               height_shift_range=0.2,
                                               shear_range=0.2,
                                               zoom_range=0.2,
                                               horizontal_flip=True,
                                               fill_mode='nearest')

            # Pass in the appropriate arguments to the flow_from_directory method
            train_generator = train_datagen.flow_from_directory(directory=TRAINING_DIR,
                                                                batch_size=32,
                                                                class_mode='binary',
                                                                target_size=(150, 150))

            # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
            # Remember that validation data should not be augmented
            validation_datagen = ImageDataGenerator(rescale=1./255.)

            # Pass in the appropriate arguments to the flow_from_directory method
            validation_generator = validation_datagen.flow_from_directory(directory=VALIDATION_DIR,
                                                                          batch_size=32,
                                                                          class_mode='binary',
                                                                          target_size=(150, 150))
            ### END CODE HERE
            return train_generator, validation_generator
        ''',  # noqa: E501
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(TRAINING_DIR, VALIDATION_DIR):
            """
            Creates the training and validation data generators

            Args:
              TRAINING_DIR (string): directory path containing the training images
              VALIDATION_DIR (string): directory path containing the testing/validation images

            Returns:
              train_generator, validation_generator: tuple containing the generators
            """
            ### START CODE HERE

            # Instantiate the ImageDataGenerator class
            # Don't forget to normalize pixel values and set arguments to augment the images
            train_datagen = None

            # Pass in the appropriate arguments to the flow_from_directory method
            train_generator = train_datagen.flow_from_directory(directory=None,
                                                                batch_size=32,
                                                                class_mode=None,
                                                                target_size=(None, None))

            # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
            # Remember that validation data should not be augmented
            validation_datagen = None

            # Pass in the appropriate arguments to the flow_from_directory method
            validation_generator = validation_datagen.flow_from_directory(directory=None,
                                                                          batch_size=32,
                                                                          class_mode=None,
                                                                          target_size=(None, None))
            ### END CODE HERE
            return train_generator, validation_generator
        ''',  # noqa: E501
    ),
    graded(
        "c2w3-generators-test",
        """
        # grader-required-cell

        # Test your generators
        train_generator, validation_generator = train_val_generators(train_dir, validation_dir)
        """,
    ),
    md(
        "c2w3-generators-expected",
        """
        **Expected Output:**

        ```
        Found 1027 images belonging to 2 classes.
        Found 256 images belonging to 2 classes.
        ```
        """,
    ),
    md(
        "c2w3-weights-md",
        """
        ## Transfer learning - Create the pre-trained model

        The network you will build on is `InceptionV3`, trained on the ImageNet dataset. Run the
        next cell to download its pre-trained weights (without the top classification layers)
        into the `/tmp/` directory:
        """,
    ),
    code(
        "c2w3-download-weights",
        """
        # Download the inception v3 weights
        !wget --no-check-certificate \\
            {WEIGHTS_URL} \\
            -O /tmp/{WEIGHTS_FILE}
        """.replace("{WEIGHTS_URL}", C2W3_WEIGHTS_URL).replace("{WEIGHTS_FILE}", C2W3_WEIGHTS_FILE),
    ),
    md(
        "c2w3-inception-md",
        """
        Keras ships the architecture of `InceptionV3`; import it and keep the path of the weights
        file you just downloaded in a variable:
        """,
    ),
    graded(
        "c2w3-inception-import",
        """
        # grader-required-cell

        # Import the inception model
        from tensorflow.keras.applications.inception_v3 import InceptionV3

        # Create an instance of the inception model from the local pre-trained weights
        local_weights_file = '/tmp/{WEIGHTS_FILE}'
        """.replace("{WEIGHTS_FILE}", C2W3_WEIGHTS_FILE),
    ),
    md(
        "c2w3-pre-trained-md",
        """
        Complete the `create_pre_trained_model` function below. It should:

        - create an `InceptionV3` model whose `input_shape` matches the images your generators
          produce (remember that they are resized from 300x300 to a new resolution), without
          its top classification layers and without downloading any weights (`weights=None`);
        - load the weights from `local_weights_file` into it;
        - freeze the model, i.e. make every one of its layers non-trainable, so that training
          leaves the pre-trained weights untouched.
        """,
    ),
    graded(
        "c2w3-create-pre-trained-model",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: create_pre_trained_model
        def create_pre_trained_model(local_weights_file):
            """
            Initializes an InceptionV3 model.

            Args:
              local_weights_file (string): path pointing to a pretrained weights H5 file

            Returns:
              pre_trained_model: the initialized InceptionV3 model
            """
            ### START CODE HERE
            pre_trained_model = InceptionV3(input_shape=(150, 150, 3),
                                            include_top=False,
                                            weights=None)

            pre_trained_model.load_weights(local_weights_file)

            # Make all the layers in the pre-trained model non-trainable
            for layer in pre_trained_model.layers:
                layer.trainable = False

            ### END CODE HERE

            return pre_trained_model
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: create_pre_trained_model
        def create_pre_trained_model(local_weights_file):
            """
            Initializes an InceptionV3 model.

            Args:
              local_weights_file (string): path pointing to a pretrained weights H5 file

            Returns:
              pre_trained_model: the initialized InceptionV3 model
            """
            ### START CODE HERE
            pre_trained_model = InceptionV3(input_shape = None,
                                            include_top = None,
                                            weights = None)

            pre_trained_model.load_weights(None)

            # Make all the layers in the pre-trained model non-trainable
            for layer in None:
                None

            ### END CODE HERE

            return pre_trained_model
        ''',
    ),
    md(
        "c2w3-summary-md",
        """
        Check that everything went well by comparing the last rows of the model's summary with
        the expected output below:
        """,
    ),
    graded(
        "c2w3-pre-trained-summary",
        """
        # grader-required-cell

        pre_trained_model = create_pre_trained_model(local_weights_file)

        # Print the model summary
        pre_trained_model.summary()
        """,
    ),
    md(
        "c2w3-summary-expected",
        """
        **Expected Output (the numbers in the layer names may differ):**

        ```
         mixed9_1 (Concatenate)      (None, 3, 3, 768)            0         ['activation_87[0][0]',
                                                                             'activation_88[0][0]']

         concatenate_1 (Concatenate  (None, 3, 3, 768)            0         ['activation_91[0][0]',
         )                                                                   'activation_92[0][0]']

         activation_93 (Activation)  (None, 3, 3, 192)            0         ['batch_normalization_93[0][0]
                                                                            ']

         mixed10 (Concatenate)       (None, 3, 3, 2048)           0         ['activation_85[0][0]',
                                                                             'mixed9_1[0][0]',
                                                                             'concatenate_1[0][0]',
                                                                             'activation_93[0][0]']

        ==================================================================================================
        Total params: 21802784 (83.17 MB)
        Trainable params: 0 (0.00 Byte)
        Non-trainable params: 21802784 (83.17 MB)
        __________________________________________________________________________________________________
        ```
        """,  # noqa: E501
    ),
    md(
        "c2w3-params-md",
        """
        To make sure that every layer of the pre-trained model is frozen, you can also count its
        trainable parameters:
        """,
    ),
    graded(
        "c2w3-pre-trained-params",
        """
        # grader-required-cell

        total_params = pre_trained_model.count_params()
        num_trainable_params = sum([w.shape.num_elements() for w in pre_trained_model.trainable_weights])

        print(f"There are {total_params:,} total parameters in this model.")
        print(f"There are {num_trainable_params:,} trainable parameters in this model.")
        """,  # noqa: E501
    ),
    md(
        "c2w3-params-expected",
        """
        **Expected Output:**

        ```
        There are 21,802,784 total parameters in this model.
        There are 0 trainable parameters in this model.
        ```
        """,
    ),
    md(
        "c2w3-callback-md",
        """
        ## Creating callbacks for later

        You wrote callbacks in the first course of this specialization, so the one used here is
        provided: it stops training as soon as the training accuracy goes above 99.9%.
        """,
    ),
    graded(
        "c2w3-callback",
        r"""
        # grader-required-cell

        # Define a Callback class that stops training once accuracy reaches 99.9%
        class myCallback(tf.keras.callbacks.Callback):
          def on_epoch_end(self, epoch, logs={}):
            if(logs.get('accuracy')>0.999):
              print("\nReached 99.9% accuracy so cancelling training!")
              self.model.stop_training = True
        """,
    ),
    md(
        "c2w3-last-layer-md",
        """
        ## Pipelining the pre-trained model with your own

        With the pre-trained model ready, the next step is to connect it to a model of your own
        that solves the task at hand. The input of your model will be the output of one of the
        pre-trained model's layers, so start by completing the `output_of_last_layer` function
        below: it fetches that layer by its name and returns its output.

        **Note:** for grading purposes, use the `mixed7` layer as the last layer of the
        pre-trained model. Once you have submitted the assignment, feel free to come back and
        experiment with other layers.
        """,
    ),
    graded(
        "c2w3-output-of-last-layer",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: output_of_last_layer
        def output_of_last_layer(pre_trained_model):
            """
            Gets the last layer output of a model

            Args:
              pre_trained_model (tf.keras Model): model to get the last layer output from

            Returns:
              last_output: output of the model's last layer
            """
            ### START CODE HERE
            last_desired_layer = pre_trained_model.get_layer('mixed7')
            print('last layer output shape: ', last_desired_layer.output_shape)
            last_output = last_desired_layer.output
            print('last layer output: ', last_output)
            ### END CODE HERE

            return last_output
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: output_of_last_layer
        def output_of_last_layer(pre_trained_model):
            """
            Gets the last layer output of a model

            Args:
              pre_trained_model (tf.keras Model): model to get the last layer output from

            Returns:
              last_output: output of the model's last layer
            """
            ### START CODE HERE
            last_desired_layer = None
            print('last layer output shape: ', last_desired_layer.output_shape)
            last_output = None
            print('last layer output: ', last_output)
            ### END CODE HERE

            return last_output
        ''',
    ),
    md(
        "c2w3-last-layer-test-md",
        """
        Check that it works as expected:
        """,
    ),
    graded(
        "c2w3-last-layer-test",
        """
        # grader-required-cell

        last_output = output_of_last_layer(pre_trained_model)
        """,
    ),
    md(
        "c2w3-last-layer-expected",
        """
        **Expected Output (if the `mixed7` layer was used):**

        ```
        last layer output shape:  (None, 7, 7, 768)
        last layer output:  KerasTensor(type_spec=TensorSpec(shape=(None, 7, 7, 768), dtype=tf.float32, name=None), name='mixed7/concat:0', description="created by layer 'mixed7'")
        ```
        """,  # noqa: E501
    ),
    md(
        "c2w3-functional-md",
        """
        Now you will build the final model by adding a few layers on top of the pre-trained
        model. `InceptionV3` is built with Keras'
        [Functional API](https://www.tensorflow.org/guide/keras/functional), and so will be your
        final model. You can check the type of the pre-trained model first:
        """,
    ),
    code(
        "c2w3-model-type",
        """
        # Print the type of the pre-trained model
        print(f"The pretrained model has type: {type(pre_trained_model)}")
        """,
    ),
    md(
        "c2w3-model-inputs-md",
        """
        With the Functional API you create a model from its inputs and its outputs, as in the
        first of the ways to instantiate a `Model` described in the
        [documentation](https://www.tensorflow.org/api_docs/python/tf/keras/Model). Every
        existing model exposes its input tensor(s) through its `input` (and `inputs`)
        attribute, and the output of your last layer can be passed directly as the outputs:
        """,
    ),
    code(
        "c2w3-model-inputs",
        """
        # Inspect the inputs of the pre-trained model
        print(f"The inputs of the pretrained model have type: {type(pre_trained_model.inputs)}")
        print(f"The input of the pretrained model is: {pre_trained_model.input}")
        """,
    ),
    md(
        "c2w3-final-model-md",
        """
        Complete the `create_final_model` function below. Starting from the flattened output of
        the pre-trained model, add:

        - a fully connected layer with 1024 units and a ReLU activation,
        - a dropout layer that drops 20% of its inputs,
        - a final layer with a single unit and a sigmoid activation, for the binary
          classification.

        Then create the model with the `Model` class, from the input of the pre-trained model
        to your last layer, and compile it with the `RMSprop` optimizer (learning rate 0.0001),
        a loss suited to binary classification and the `accuracy` metric.
        """,
    ),
    graded(
        "c2w3-create-final-model",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: create_final_model
        def create_final_model(pre_trained_model, last_output):
            """
            Appends a custom model to a pre-trained model

            Args:
              pre_trained_model (tf.keras Model): model that will accept the train/test inputs
              last_output (tensor): last layer output of the pre-trained model

            Returns:
              model: the combined model
            """
            # Flatten the output layer to 1 dimension
            x = layers.Flatten()(last_output)

            ### START CODE HERE

            # Add a fully connected layer with 1024 hidden units and ReLU activation
            x = layers.Dense(1024, activation='relu')(x)
            # Add a dropout rate of 0.2
            x = layers.Dropout(0.2)(x)
            # Add a final sigmoid layer for classification
            x = layers.Dense(1, activation='sigmoid')(x)

            # Create the complete model by using the Model class
            model = Model(inputs=pre_trained_model.input, outputs=x)

            # Compile the model
            model.compile(optimizer=RMSprop(learning_rate=0.0001),
                          loss='binary_crossentropy',
                          metrics=['accuracy'])

            ### END CODE HERE

            return model
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: create_final_model
        def create_final_model(pre_trained_model, last_output):
            """
            Appends a custom model to a pre-trained model

            Args:
              pre_trained_model (tf.keras Model): model that will accept the train/test inputs
              last_output (tensor): last layer output of the pre-trained model

            Returns:
              model: the combined model
            """
            # Flatten the output layer to 1 dimension
            x = layers.Flatten()(last_output)

            ### START CODE HERE

            # Add a fully connected layer with 1024 hidden units and ReLU activation
            x = None
            # Add a dropout rate of 0.2
            x = None
            # Add a final sigmoid layer for classification
            x = None

            # Create the complete model by using the Model class
            model = Model(inputs=None, outputs=None)

            # Compile the model
            model.compile(optimizer = None,
                          loss = None,
                          metrics = ['accuracy'])

            ### END CODE HERE

            return model
        ''',
    ),
    graded(
        "c2w3-final-model-params",
        """
        # grader-required-cell

        # Save your model in a variable
        model = create_final_model(pre_trained_model, last_output)

        # Inspect parameters
        total_params = model.count_params()
        num_trainable_params = sum([w.shape.num_elements() for w in model.trainable_weights])

        print(f"There are {total_params:,} total parameters in this model.")
        print(f"There are {num_trainable_params:,} trainable parameters in this model.")
        """,
    ),
    md(
        "c2w3-final-params-expected",
        """
        **Expected Output:**

        ```
        There are 47,512,481 total parameters in this model.
        There are 38,537,217 trainable parameters in this model.
        ```
        """,
    ),
    md(
        "c2w3-train-md",
        """
        That is a lot of parameters, even though most of them are frozen! Once you have
        submitted the assignment, try running the notebook again at the original 300x300
        resolution and see how many more parameters the model gets.

        Now train the model:
        """,
    ),
    code(
        "c2w3-train",
        """
        # Run this and see how many epochs it should take before the callback
        # fires, and stops training at 99.9% accuracy
        # (It should take a few epochs)
        callbacks = myCallback()
        history = model.fit(train_generator,
                            validation_data = validation_generator,
                            epochs = 100,
                            verbose = 2,
                            callbacks=callbacks)
        """,
    ),
    md(
        "c2w3-plot-md",
        """
        Training should have stopped in fewer than 10 epochs, once the training accuracy went
        above 99.9% and fired the callback. It gets there so fast because the pre-trained model
        already knows how to extract features that tell humans apart from horses.

        Run the next cell to plot the training and validation accuracy at the end of each
        epoch:
        """,
    ),
    code(
        "c2w3-plot",
        """
        # Plot the training and validation accuracies for each epoch

        acc = history.history['accuracy']
        val_acc = history.history['val_accuracy']
        loss = history.history['loss']
        val_loss = history.history['val_loss']

        epochs = range(len(acc))

        plt.plot(epochs, acc, 'r', label='Training accuracy')
        plt.plot(epochs, val_acc, 'b', label='Validation accuracy')
        plt.title('Training and validation accuracy')
        plt.legend(loc=0)
        plt.figure()

        plt.show()
        """,
    ),
    md(
        "c2w3-submit-md",
        """
        To submit, download this notebook from Colab: open the `File` menu and choose
        `Download` -> `Download .ipynb`. Any file name works, as long as it is a valid `.ipynb`
        (Jupyter notebook) file.
        """,
    ),
    md(
        "c2w3-congrats-md",
        """
        **Congratulations on finishing this week's assignment!**

        You have built a convolutional neural network that reuses the features of a network
        pre-trained on a much larger dataset to tell humans apart from horses.

        **Keep it up!**
        """,
    ),
]


# --------------------------------------------------------------------------------------------
# C2W4: Multi-class Classification (Sign Language MNIST)
# --------------------------------------------------------------------------------------------

C2W4_CELLS: list[Cell] = [
    md(
        "c2w4-title",
        """
        # Week 4: Multi-class Classification

        Welcome to this week's assignment! This time the task has more than two classes: you will
        work with the [Sign Language MNIST](https://www.kaggle.com/datamunge/sign-language-mnist)
        dataset, which holds 28x28 grayscale pictures of hands signing the letters of the English
        alphabet. You will turn the raw data into arrays a convolutional neural network can
        consume, and build a network that predicts which letter each picture shows.

        **Important for correct grading:** do not delete cells (they carry metadata the grader
        needs) and write your solutions only between `### START CODE HERE` and
        `### END CODE HERE`. You may add new cells, but the grader ignores them.
        """,
    ),
    graded(
        "c2w4-imports",
        """
        # grader-required-cell

        import csv
        import string
        import numpy as np
        import tensorflow as tf
        import matplotlib.pyplot as plt
        from tensorflow.keras.preprocessing.image import ImageDataGenerator, array_to_img
        """,
    ),
    md(
        "c2w4-download-md",
        """
        Download the training and test sets. The test set serves as the validation set in this
        assignment.
        """,
    ),
    code(
        "c2w4-download",
        """
        # sign_mnist_train.csv
        !gdown --id 1z0DkA9BytlLxO1C0BAWzknLyQmZAp0HR
        # sign_mnist_test.csv
        !gdown --id 1z1BIj4qmri59GWBG4ivMNFtpZ4AXIbzg
        """,
    ),
    md(
        "c2w4-paths-md",
        """
        The next cell defines two global variables with the paths of the files you just
        downloaded.
        """,
    ),
    graded(
        "c2w4-paths",
        """
        # grader-required-cell

        TRAINING_FILE = './sign_mnist_train.csv'
        VALIDATION_FILE = './sign_mnist_test.csv'
        """,
    ),
    md(
        "c2w4-peek-md",
        """
        Unlike in the earlier assignments, the images are not provided as picture files: each one
        is serialized as a line of a csv file. Have a look at the beginning of the training file:
        """,
    ),
    code(
        "c2w4-peek",
        """
        with open(TRAINING_FILE) as training_file:
          line = training_file.readline()
          print(f"First line (header) looks like this:\\n{line}")
          line = training_file.readline()
          print(f"Each subsequent line (data points) look like this:\\n{line}")
        """,
    ),
    md(
        "c2w4-parse-md",
        """
        The first line of each file is a header. Every following line describes one image with
        785 comma-separated values: the first one is the label (the number of the letter, 0 for
        A up to 25 for Z), and the other 784 are the pixel values of the 28x28 image, each
        between 0 and 255.

        ## Parsing the dataset

        Complete the `parse_data_from_input` function below. It reads the csv file whose path it
        receives and returns two numpy arrays: the images, with shape `(number of images, 28, 28)`,
        and the labels, with shape `(number of images,)`. **Both arrays must have dtype
        `float64`.**

        Keep in mind:

        - Skip the first line: it holds the column names, not an image.
        - In every other line, the first value is the label and the remaining 784 values are the
          pixels of the picture.

        Hints:

        - `csv.reader` returns an iterable that yields one row of the file per iteration, as a
          list of strings: `row[0]` is the label and `row[1:]` are the 784 pixel values.
        - `np.reshape` (or `np.array_split`) turns 784 values into a 28x28 array.
        - `np.ndarray.astype` converts an array to another dtype.
        """,
    ),
    graded(
        "c2w4-parse-data-from-input",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: parse_data_from_input
        def parse_data_from_input(filename):
          """
          Parses the images and labels from a CSV file

          Args:
            filename (string): path to the CSV file

          Returns:
            images, labels: tuple of numpy arrays containing the images and labels
          """
          with open(filename) as file:
            ### START CODE HERE

            # Use csv.reader, passing in the appropriate delimiter
            # Remember that csv.reader can be iterated and returns one line in each iteration
            csv_reader = csv.reader(file, delimiter=',')

            # Skip the header
            next(csv_reader)

            labels = []
            rows = []
            for row in csv_reader:
              labels.append(row[0])
              rows.append(row[1:])

            images = np.array(rows, dtype=np.float64).reshape(-1, 28, 28)
            labels = np.array(labels, dtype=np.float64)

            ### END CODE HERE

            return images, labels
        ''',
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: parse_data_from_input
        def parse_data_from_input(filename):
          """
          Parses the images and labels from a CSV file

          Args:
            filename (string): path to the CSV file

          Returns:
            images, labels: tuple of numpy arrays containing the images and labels
          """
          with open(filename) as file:
            ### START CODE HERE

            # Use csv.reader, passing in the appropriate delimiter
            # Remember that csv.reader can be iterated and returns one line in each iteration
            csv_reader = csv.reader(file, delimiter=None)

            labels = None
            images = None


            ### END CODE HERE

            return images, labels
        ''',
    ),
    graded(
        "c2w4-parse-test",
        """
        # grader-required-cell

        # Test your function
        training_images, training_labels = parse_data_from_input(TRAINING_FILE)
        validation_images, validation_labels = parse_data_from_input(VALIDATION_FILE)

        print(f"Training images has shape: {training_images.shape} and dtype: {training_images.dtype}")
        print(f"Training labels has shape: {training_labels.shape} and dtype: {training_labels.dtype}")
        print(f"Validation images has shape: {validation_images.shape} and dtype: {validation_images.dtype}")
        print(f"Validation labels has shape: {validation_labels.shape} and dtype: {validation_labels.dtype}")
        """,  # noqa: E501
    ),
    md(
        "c2w4-parse-expected",
        """
        **Expected Output:**

        ```
        Training images has shape: (27455, 28, 28) and dtype: float64
        Training labels has shape: (27455,) and dtype: float64
        Validation images has shape: (7172, 28, 28) and dtype: float64
        Validation labels has shape: (7172,) and dtype: float64
        ```
        """,
    ),
    md(
        "c2w4-plot-images-md",
        """
        ## Visualizing the numpy arrays

        Now that the csv files are numpy arrays, you can draw them as images. Run the next cell to
        see the first ten training images together with their letters.
        """,
    ),
    code(
        "c2w4-plot-images",
        """
        # Plot a sample of 10 images from the training set
        def plot_categories(training_images, training_labels):
          fig, axes = plt.subplots(1, 10, figsize=(16, 15))
          axes = axes.flatten()
          letters = list(string.ascii_lowercase)

          for k in range(10):
            img = training_images[k]
            img = np.expand_dims(img, axis=-1)
            img = array_to_img(img)
            ax = axes[k]
            ax.imshow(img, cmap="Greys_r")
            ax.set_title(f"{letters[int(training_labels[k])]}")
            ax.set_axis_off()

          plt.tight_layout()
          plt.show()

        plot_categories(training_images, training_labels)
        """,
    ),
    md(
        "c2w4-generators-md",
        """
        ## Creating the generators for the CNN

        Now complete the `train_val_generators` function below, which builds the generators that
        feed the network batches of images during training and validation.

        Some things to keep in mind:

        - The images are grayscale, so each one has a single channel. A convolutional layer
          expects a channel dimension, so add one with `np.expand_dims`: an array of shape
          `(N, 28, 28)` becomes `(N, 28, 28, 1)`.
        - Use the `flow` method of `ImageDataGenerator`, which reads images and labels from
          arrays instead of directories, with a `batch_size` of 32.
        - Rescale the pixel values of both sets to the [0, 1] range. You may augment the training
          images if you like, but keep the augmentation mild (a flipped hand may sign another
          letter), and never augment the validation images.
        """,
    ),
    graded(
        "c2w4-train-val-generators",
        solution=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(training_images, training_labels, validation_images, validation_labels):
          """
          Creates the training and validation data generators

          Args:
            training_images (array): parsed images from the train CSV file
            training_labels (array): parsed labels from the train CSV file
            validation_images (array): parsed images from the test CSV file
            validation_labels (array): parsed labels from the test CSV file

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # In this section you will have to add another dimension to the data
          # So, for example, if your array is (10000, 28, 28)
          # You will need to make it (10000, 28, 28, 1)
          # Hint: np.expand_dims
          training_images = np.expand_dims(training_images, axis=3)
          validation_images = np.expand_dims(validation_images, axis=3)

          # Instantiate the ImageDataGenerator class
          # Don't forget to normalize pixel values
          # and set arguments to augment the images (if desired)
          train_datagen = ImageDataGenerator(rescale=1./255,
                                             rotation_range=10,
                                             width_shift_range=0.1,
                                             height_shift_range=0.1,
                                             zoom_range=0.1)


          # Pass in the appropriate arguments to the flow method
          train_generator = train_datagen.flow(x=training_images,
                                               y=training_labels,
                                               batch_size=32)


          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          # Remember that validation data should not be augmented
          validation_datagen = ImageDataGenerator(rescale=1./255)

          # Pass in the appropriate arguments to the flow method
          validation_generator = validation_datagen.flow(x=validation_images,
                                                         y=validation_labels,
                                                         batch_size=32)

          ### END CODE HERE

          return train_generator, validation_generator
        ''',  # noqa: E501
        template=r'''
        # grader-required-cell

        # GRADED FUNCTION: train_val_generators
        def train_val_generators(training_images, training_labels, validation_images, validation_labels):
          """
          Creates the training and validation data generators

          Args:
            training_images (array): parsed images from the train CSV file
            training_labels (array): parsed labels from the train CSV file
            validation_images (array): parsed images from the test CSV file
            validation_labels (array): parsed labels from the test CSV file

          Returns:
            train_generator, validation_generator - tuple containing the generators
          """
          ### START CODE HERE

          # In this section you will have to add another dimension to the data
          # So, for example, if your array is (10000, 28, 28)
          # You will need to make it (10000, 28, 28, 1)
          # Hint: np.expand_dims
          training_images = None
          validation_images = None

          # Instantiate the ImageDataGenerator class
          # Don't forget to normalize pixel values
          # and set arguments to augment the images (if desired)
          train_datagen = None


          # Pass in the appropriate arguments to the flow method
          train_generator = train_datagen.flow(x=None,
                                               y=None,
                                               batch_size=32)


          # Instantiate the ImageDataGenerator class (don't forget to set the rescale argument)
          # Remember that validation data should not be augmented
          validation_datagen = None

          # Pass in the appropriate arguments to the flow method
          validation_generator = validation_datagen.flow(x=None,
                                                         y=None,
                                                         batch_size=32)

          ### END CODE HERE

          return train_generator, validation_generator
        ''',  # noqa: E501
    ),
    graded(
        "c2w4-generators-test",
        """
        # grader-required-cell

        # Test your generators
        train_generator, validation_generator = train_val_generators(training_images, training_labels, validation_images, validation_labels)

        print(f"Images of training generator have shape: {train_generator.x.shape}")
        print(f"Labels of training generator have shape: {train_generator.y.shape}")
        print(f"Images of validation generator have shape: {validation_generator.x.shape}")
        print(f"Labels of validation generator have shape: {validation_generator.y.shape}")
        """,  # noqa: E501
    ),
    md(
        "c2w4-generators-expected",
        """
        **Expected Output:**

        ```
        Images of training generator have shape: (27455, 28, 28, 1)
        Labels of training generator have shape: (27455,)
        Images of validation generator have shape: (7172, 28, 28, 1)
        Labels of validation generator have shape: (7172,)
        ```
        """,
    ),
    md(
        "c2w4-model-md",
        """
        ## Coding the CNN

        The last step before training is to define the model. Complete the `create_model`
        function below so that it returns a compiled Keras model (built with the `Sequential` or
        the Functional API) that takes 28x28 single-channel images.

        The last layer must have one unit per letter of the English alphabet and an activation
        that turns its outputs into a probability for each letter.

        **Note:** according to the dataset's documentation there are no samples of the last
        letter, Z, so one output unit fewer would also do. You will pass the assignment either
        way.

        Compile the model with a loss suited to multi-class classification; remember that the
        labels are integers, not one-hot vectors. **Use no more than 2 `Conv2D` and 2
        `MaxPooling2D` layers.**
        """,
    ),
    graded(
        "c2w4-create-model",
        solution="""
        # grader-required-cell

        def create_model():

          ### START CODE HERE

          # Define the model
          # Use no more than 2 Conv2D and 2 MaxPooling2D
          model = tf.keras.models.Sequential([
              tf.keras.layers.Conv2D(64, (3, 3), activation='relu', input_shape=(28, 28, 1)),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),
              tf.keras.layers.MaxPooling2D(2, 2),
              tf.keras.layers.Flatten(),
              tf.keras.layers.Dense(128, activation='relu'),
              tf.keras.layers.Dropout(0.2),
              tf.keras.layers.Dense(26, activation='softmax'),
          ])


          model.compile(optimizer='adam',
                        loss='sparse_categorical_crossentropy',
                        metrics=['accuracy'])

          ### END CODE HERE

          return model
        """,
        template="""
        # grader-required-cell

        def create_model():

          ### START CODE HERE

          # Define the model
          # Use no more than 2 Conv2D and 2 MaxPooling2D
          model = tf.keras.models.Sequential([
              None,
          ])


          model.compile(optimizer = None,
                        loss = None,
                        metrics=["accuracy"])

          ### END CODE HERE

          return model
        """,
    ),
    md(
        "c2w4-train-md",
        """
        Now train the model. Training can take a few minutes.
        """,
    ),
    code(
        "c2w4-train",
        """
        # Save your model
        model = create_model()

        # Train your model
        history = model.fit(train_generator,
                            epochs=15,
                            validation_data=validation_generator)
        """,
    ),
    md(
        "c2w4-plot-md",
        """
        Run the next cell to plot the training and validation accuracy and loss at the end of
        each epoch.

        Your model's accuracy is **not graded**. Still, as an optional exercise once you have
        submitted the notebook, try to push it as high as you can on both sets: a reasonable
        benchmark is over 99% training accuracy and over 95% validation accuracy within 15
        epochs. Experiment with the architecture and the augmentation settings to get there.
        """,
    ),
    code(
        "c2w4-plot",
        """
        # Plot the chart for accuracy and loss on both training and validation
        acc = history.history['accuracy']
        val_acc = history.history['val_accuracy']
        loss = history.history['loss']
        val_loss = history.history['val_loss']

        epochs = range(len(acc))

        plt.plot(epochs, acc, 'r', label='Training accuracy')
        plt.plot(epochs, val_acc, 'b', label='Validation accuracy')
        plt.title('Training and validation accuracy')
        plt.legend()
        plt.figure()

        plt.plot(epochs, loss, 'r', label='Training Loss')
        plt.plot(epochs, val_loss, 'b', label='Validation Loss')
        plt.title('Training and validation loss')
        plt.legend()

        plt.show()
        """,
    ),
    md(
        "c2w4-submit-md",
        """
        To submit, download this notebook from Colab: open the `File` menu and choose
        `Download` -> `Download .ipynb`. Any file name works, as long as it is a valid `.ipynb`
        (Jupyter notebook) file.
        """,
    ),
    md(
        "c2w4-congrats-md",
        """
        **Congratulations on finishing this week's assignment!**

        You have parsed a dataset stored as csv files into image arrays, fed them to a network
        through generators, and trained a convolutional neural network that tells 24 letters of
        the sign language alphabet apart.

        **Keep it up!**
        """,
    ),
]


ASSIGNMENTS: dict[str, list[Cell]] = {
    "C2W1": C2W1_CELLS,
    "C2W2": C2W2_CELLS,
    "C2W3": C2W3_CELLS,
    "C2W4": C2W4_CELLS,
}


# --------------------------------------------------------------------------------------------
# Consistency checks on the cell lists
# --------------------------------------------------------------------------------------------


def _outside_markers(source: str) -> list[str]:
    """The lines of ``source`` that lie outside START/END CODE HERE regions (markers kept)."""
    kept: list[str] = []
    inside = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(START_MARKER):
            inside = True
            kept.append(line)
        elif stripped.startswith(END_MARKER):
            inside = False
            kept.append(line)
        elif not inside:
            kept.append(line)
    return kept


def check_cells(name: str, cells: Sequence[Cell]) -> None:
    """Raise ValueError if the cell list breaks the conventions the grader relies on."""
    seen: set[str] = set()
    for cell in cells:
        where = f"{name}/{cell.id}"
        if not _CELL_ID_RE.match(cell.id):
            raise ValueError(f"{where}: invalid cell id")
        if cell.id in seen:
            raise ValueError(f"{where}: duplicate cell id")
        seen.add(cell.id)
        if cell.cell_type == "markdown":
            if cell.template is not None or cell.tags:
                raise ValueError(f"{where}: markdown cells take neither template nor tags")
            continue
        if cell.graded:
            for variant in ("solution", "template"):
                first = cell.source(variant).splitlines()[0]
                if first != GRADER_REQUIRED:
                    raise ValueError(f"{where}: {variant} must start with {GRADER_REQUIRED!r}")
        if cell.template is not None:
            sol, tpl = cell.solution, cell.template
            for marker in (START_MARKER, END_MARKER):
                if sol.count(marker) != tpl.count(marker) or not sol.count(marker):
                    raise ValueError(f"{where}: {marker!r} missing or unbalanced")
            if _outside_markers(sol) != _outside_markers(tpl):
                raise ValueError(f"{where}: solution and template differ outside the markers")


# --------------------------------------------------------------------------------------------
# Notebook building
# --------------------------------------------------------------------------------------------


def build_notebook(cells: Sequence[Cell], variant: Variant) -> nbformat.NotebookNode:
    nb = v4.new_notebook(metadata=NOTEBOOK_METADATA)
    nb.nbformat, nb.nbformat_minor = 4, 5
    for cell in cells:
        metadata = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.cell_type == "markdown":
            nb.cells.append(v4.new_markdown_cell(cell.solution, id=cell.id, metadata=metadata))
        else:
            nb.cells.append(v4.new_code_cell(cell.source(variant), id=cell.id, metadata=metadata))
    nbformat.validate(nb)
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb, version=4) + "\n"


def notebook_paths(root: Path, name: str) -> dict[Variant, Path]:
    filename = f"{name}_Assignment.ipynb"
    return {
        "solution": root / SOLUTIONS_DIR / filename,
        "template": root / TEMPLATE_DIR / filename,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "assignments", nargs="*", metavar="NAME", help=f"subset of {sorted(ASSIGNMENTS)}"
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is out of date"
    )
    args = parser.parse_args(argv)

    names = args.assignments or sorted(ASSIGNMENTS)
    unknown = [n for n in names if n not in ASSIGNMENTS]
    if unknown:
        parser.error(f"unknown assignment(s): {', '.join(unknown)}")

    stale: list[Path] = []
    for name in names:
        cells = ASSIGNMENTS[name]
        check_cells(name, cells)
        for variant, path in notebook_paths(args.root, name).items():
            text = render(build_notebook(cells, variant))
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(path)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")

    if stale:
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
