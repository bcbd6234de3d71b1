// Placeholder so the target exists; delete when the module has real sources.
