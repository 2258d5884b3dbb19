"""Writers turn a `Book` into one output format each; they know nothing of each other."""
