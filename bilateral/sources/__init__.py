"""Source readers: each turns one provider's files into the canonical tables."""
