//! Lesson 3 (the single unit): exercise 1, the sigmoid's slope; exercise 2, one step of a
//! unit.
