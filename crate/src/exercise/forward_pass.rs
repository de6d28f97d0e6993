//! Lesson 5 (the forward pass): exercise 1, the forward pass by hand; exercise 2, counting
//! parameters.
