//! Lesson 6 (backpropagation): the weight steps of a 3-2-1 network for one record.
