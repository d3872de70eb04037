"""Autograder for the course "Convolutional Neural Networks in TensorFlow"."""

__version__ = "0.1.0"
