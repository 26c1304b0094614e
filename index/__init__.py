"""Storage and retrieval: encoders, the SQLite catalogue, ingestion and the FAISS vector index."""
