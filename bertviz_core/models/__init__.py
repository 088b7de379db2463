"""What a model is: the registry of offered models, model families, loading (bundled, local folders, hub), fetching for offline use, the in-house students, head naming."""
