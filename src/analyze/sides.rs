//! [`Sides`]: the old and the new of something, named, where a pair would leave the reader to
//! remember which is which.

/// The two sides of a comparison: the old and the new of something.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sides<T> {
    /// The old side's.
    pub old: T,
    /// The new side's.
    pub new: T,
}

impl<T> Sides<T> {
    /// `old` and `new`.
    pub fn new(old: T, new: T) -> Sides<T> {
        Sides { old, new }
    }

    /// Both sides, seen through `f`.
    pub fn map<'a, U>(&'a self, mut f: impl FnMut(&'a T) -> U) -> Sides<U> {
        Sides {
            old: f(&self.old),
            new: f(&self.new),
        }
    }
}
