//! Lesson 11 (cross-entropy): the cross-entropy by hand.
