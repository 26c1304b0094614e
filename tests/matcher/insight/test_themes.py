"""Themes from seeded synthetic clusters: k found by silhouette, labels by c-TF-IDF, ids stable
when one vector is added, fresh ids for a theme that moved."""

from __future__ import annotations

import numpy as np

from matcher.insight.themes import assign_themes, build_themes, distinctive_terms, match_previous

TOPICS = [
    ("falls frailty older people wards", "falls"),
    ("stroke rehabilitation upper limb", "stroke"),
    ("diabetes insulin glucose monitoring", "diabetes"),
    ("asthma inhaler children airways", "asthma"),
    ("dementia memory carers", "dementia"),
]


def blobs(per: int = 40, seed: int = 0, d: int = 32) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = np.eye(d, dtype=np.float32)[: len(TOPICS)] * 3
    vectors, texts = [], []
    for c, (words, _) in enumerate(TOPICS):
        for i in range(per):
            vectors.append(centres[c] + rng.normal(0, 0.3, d))
            texts.append(f"{words} item {i}")
    matrix = np.asarray(vectors, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True), texts


def test_k_is_chosen_by_silhouette_and_labels_are_distinctive() -> None:
    vectors, texts = blobs()
    built = build_themes(vectors, texts, candidates=range(2, 9))
    assert built.k == len(TOPICS)
    assert max(built.silhouettes, key=lambda k: built.silhouettes[k]) == len(TOPICS)
    firsts = {t.terms[0].split()[0] for t in built.themes}
    assert firsts <= {w for words, _ in TOPICS for w in words.split()}
    assert len({t.label for t in built.themes}) == len(TOPICS)
    assert [t.id for t in built.themes] == [f"T{i:02d}" for i in range(1, 6)]


def test_theme_ids_and_labels_survive_one_more_vector() -> None:
    vectors, texts = blobs()
    first = build_themes(vectors, texts, candidates=range(2, 9))
    more = np.vstack([vectors, vectors[:1] * 0.99 + 0.01])
    more /= np.linalg.norm(more, axis=1, keepdims=True)
    second = build_themes(
        more, [*texts, "falls on a ward at night"], previous=first.themes, candidates=range(2, 9)
    )
    assert {(t.id, t.label) for t in second.themes} == {(t.id, t.label) for t in first.themes}
    assert set(second.kept) == {t.id for t in first.themes}
    # the same vectors get the same theme ids
    before = {t.id: set(np.flatnonzero(first.labels == i)) for i, t in enumerate(first.themes)}
    after = {
        t.id: set(np.flatnonzero(second.labels[:-1] == i)) for i, t in enumerate(second.themes)
    }
    assert before == after


def test_a_theme_that_moved_gets_a_fresh_id_never_reused() -> None:
    vectors, texts = blobs()
    first = build_themes(vectors, texts, k=5)
    rotated = [t for t in first.themes]
    moved = np.roll(rotated[0].centroid, 7)  # far from every new centroid
    old = [type(rotated[0])(rotated[0].id, "old", (), 1, moved), *rotated[1:]]
    second = build_themes(vectors, texts, previous=old, k=5, retired=["T09"])
    ids = {t.id for t in second.themes}
    assert rotated[0].id not in ids and "T10" in ids and "T09" not in ids
    assert match_previous(np.stack([t.centroid for t in second.themes]), []) == {}


def test_assign_themes_nearest_first() -> None:
    vectors, texts = blobs()
    built = build_themes(vectors, texts, k=5)
    found = assign_themes(vectors[:3], built.themes, top=2, min_similarity=0.99)
    assert all(len(f) == 1 for f in found)  # the second theme is far
    assert found[0][0].theme_id == built.themes[int(built.labels[0])].id
    assert assign_themes(vectors[:2], []) == [(), ()]


def test_c_tf_idf_prefers_the_cluster_own_words() -> None:
    texts = ["falls older wards", "falls hip older", "stroke arm", "stroke speech"]
    terms = distinctive_terms(texts, np.array([0, 0, 1, 1]), 2, top=2)
    assert terms[0][0].startswith("falls") or terms[0][0].startswith("older")
    assert terms[1][0].startswith("stroke")
