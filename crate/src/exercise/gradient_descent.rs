//! Lesson 2 (gradient descent): exercise 1, one step by hand; exercise 2, the largest safe
//! learning rate.
