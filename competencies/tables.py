"""Tables of this domain package; they arrive with the package's issue."""
