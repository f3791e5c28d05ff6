"""Weather sources: EPW / TMY3 / CSV readers and the synthetic typical year."""
