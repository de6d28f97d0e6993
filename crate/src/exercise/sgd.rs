//! Lesson 9 (stochastic gradient descent): updates per epoch.
