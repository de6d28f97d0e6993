//! Lesson 10 (the computational graph): the gradient of a linear node's weights.
