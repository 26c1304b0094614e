"""Domain adaptation: fine-tune the encoder on the pool's own texts, without any ratings.

The packaged sentence-transformers model is trained for a few steps on the CPU with an
unsupervised contrastive objective built from the pool's evidence items (no labels, no
briefs), optionally pulled back toward the original model's embeddings of the same texts:

- ``title-abstract``: an item's title and its body are a positive pair; the other items of
  the batch are negatives (in-batch negatives, symmetric cross-entropy).
- ``simcse``: an item's text and the same text again under a different dropout mask
  (unsupervised SimCSE).
- ``same-profile``: two items of the same profile are a positive pair (the trial that pulled a
  person's items together; kept for comparison).

``anchor`` adds ``anchor * mean ||f(x) - f0(x)||²`` over the batch's texts, where ``f0`` is the
original model (distillation toward the starting point, a regulariser against forgetting).

The adapted model is saved under ``models_dir/<fingerprint>/``; the fingerprint covers the base
model, the objective, every hyperparameter and a hash of the training texts, so the same
adaptation of the same texts is trained once and reused, and a different one never shares an
embedding cache or an index with another (the model id is read from the folder, see
:func:`index.encoders.base.fingerprint`). ``models_dir/adapted.json`` names the adaptation in use
(:func:`activate`, :func:`active_model_path`).

Training is seeded: the same texts, configuration and seed give the same weights on the same
machine and thread count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.encoders.base import fingerprint
from index.encoders.sentence_transformer import load_sentence_transformer
from matcher.errors import ModelUnavailableError, UnreadableInputError
from matcher.model import Profile, ProfileKind

logger = logging.getLogger(__name__)

OBJECTIVES = ("title-abstract", "simcse", "same-profile")
ADAPTATION_FILE = "adaptation.json"
TRAINING_FILE = "training.json"
# Run statistics: written beside adaptation.json, which (unlike them) enters the model id.
RUN_STATISTICS = ("seconds", "first_loss", "last_loss")
ACTIVE_FILE = "adapted.json"
MIN_TEXTS = 8


class AdaptationError(UnreadableInputError):
    """The pool cannot be used for adaptation (too few usable texts)."""


@dataclass(frozen=True, slots=True)
class AdaptationText:
    """One evidence item as training material.

    Attributes:
        group: the profile it belongs to (used by ``same-profile`` only).
        title: the item's title (may be empty).
        body: the item's abstract or description (may be empty).
    """

    group: str
    title: str
    body: str

    @property
    def content(self) -> str:
        """Title and body as the index embeds them."""
        if self.title and self.body:
            return f"{self.title}. {self.body}"
        return self.title or self.body


@dataclass(frozen=True, slots=True)
class AdaptationConfig:
    """How to adapt.

    Attributes:
        objective: one of :data:`OBJECTIVES`.
        epochs: passes over the texts.
        learning_rate: peak AdamW learning rate (linear warm-up over the first 10% of steps,
            then linear decay to zero).
        batch_size: pairs per step (the in-batch negatives are the other pairs).
        anchor: weight of the squared distance to the original model's embeddings (0: none).
        scale: inverse temperature of the contrastive softmax over cosine similarities.
        max_steps: stop after this many steps (0: no limit).
        train_seq_length: tokens per text while training (encoding keeps the model's own).
        seed: seeds shuffling, dropout and every other random choice.

    Raises:
        ValueError: a value is out of range; the message lists the valid ones.
    """

    # The defaults are the candidate that measured safest (docs/quality.md, Domain adaptation).
    objective: str = "simcse"
    epochs: int = 1
    learning_rate: float = 1e-5
    batch_size: int = 16
    anchor: float = 0.0
    scale: float = 20.0
    max_steps: int = 0
    train_seq_length: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"unknown objective {self.objective!r}; choose one of {', '.join(OBJECTIVES)}"
            )
        if self.epochs < 1 or self.batch_size < 2 or self.max_steps < 0:
            raise ValueError("epochs must be ≥ 1, batch_size ≥ 2 and max_steps ≥ 0")
        if not 0 < self.learning_rate < 1e-2:
            raise ValueError(f"learning_rate must be in (0, 0.01), got {self.learning_rate}")
        if self.anchor < 0 or self.scale <= 0 or self.train_seq_length < 8:
            raise ValueError("anchor must be ≥ 0, scale > 0 and train_seq_length ≥ 8")


@dataclass(frozen=True, slots=True)
class AdaptedModel:
    """The result of :func:`adapt`.

    Attributes:
        path: the adapted model folder (a sentence-transformers model).
        name: the folder name, i.e. the adaptation fingerprint.
        reused: the folder already existed and no training was done.
        seconds: training time (0 when reused).
        steps: optimiser steps taken.
        texts: training texts used.
        details: the folder's ``adaptation.json`` (what was trained, on what) and
            ``training.json`` (time and losses of the run).
    """

    path: Path
    name: str
    reused: bool
    seconds: float
    steps: int
    texts: int
    details: dict[str, Any] = field(default_factory=dict)


def texts_from_profiles(profiles: Iterable[Profile]) -> list[AdaptationText]:
    """The evidence items of academic profiles as training texts (summaries are left out: they
    are written about a person, not a piece of work). Other kinds are used too when they have
    evidence with both a title and a body."""
    texts = []
    for profile in profiles:
        for item in profile.evidence:
            if not (item.title or item.text):
                continue
            if profile.kind is not ProfileKind.ACADEMIC and not (item.title and item.text):
                continue
            texts.append(AdaptationText(group=profile.id, title=item.title, body=item.text))
    return texts


def texts_hash(texts: Sequence[AdaptationText]) -> str:
    """A hash of the training material, independent of its order and of duplicates."""
    digest = hashlib.sha256()
    for line in sorted({json.dumps([t.group, t.title, t.body]) for t in texts}):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def adaptation_name(base_model_id: str, config: AdaptationConfig, texts_digest: str) -> str:
    """The fingerprint (and folder name) of one adaptation of one pool."""
    payload = json.dumps(
        {"base": base_model_id, "config": asdict(config), "texts": texts_digest}, sort_keys=True
    )
    digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
    base = base_model_id.split("@", 1)[0]
    return f"{base}+adapt-{config.objective}-{digest}"


def adapt(
    texts: Sequence[AdaptationText],
    *,
    base_path: Path,
    models_dir: Path,
    config: AdaptationConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AdaptedModel:
    """Fine-tune the model in ``base_path`` on ``texts`` and save it under ``models_dir``.

    An adaptation already saved under the same fingerprint is reused without training.

    Args:
        texts: the pool's items (duplicates are dropped).
        base_path: the sentence-transformers model to start from.
        models_dir: where adapted models are kept (one folder each).
        config: objective and hyperparameters; the defaults when omitted.
        progress: called with (steps done, total steps).

    Raises:
        AdaptationError: fewer than :data:`MIN_TEXTS` usable texts.
        ModelUnavailableError: the base model cannot be loaded or the result cannot be saved.
    """
    config = config or AdaptationConfig()
    unique = _unique(texts)
    pairs = _pairs(unique, config)
    if len(pairs) < MIN_TEXTS:
        raise AdaptationError(
            f"adaptation needs at least {MIN_TEXTS} training pairs from the pool; "
            f"the {config.objective} objective found {len(pairs)} in {len(unique)} texts"
        )
    base_id = fingerprint(base_path)
    digest = texts_hash(unique)
    name = adaptation_name(base_id, config, digest)
    target = models_dir / name
    if (target / ADAPTATION_FILE).is_file():
        details = json.loads((target / ADAPTATION_FILE).read_text(encoding="utf-8"))
        if (target / TRAINING_FILE).is_file():
            details.update(json.loads((target / TRAINING_FILE).read_text(encoding="utf-8")))
        logger.info("reusing the adapted model %s", target)
        return AdaptedModel(
            path=target,
            name=name,
            reused=True,
            seconds=0.0,
            steps=int(details.get("steps", 0)),
            texts=len(unique),
            details=details,
        )
    started = time.perf_counter()
    model, steps, losses = _train(base_path, pairs, config, progress)
    seconds = time.perf_counter() - started
    details = {
        "base_model_id": base_id,
        "config": asdict(config),
        "texts_sha256": digest,
        "texts": len(unique),
        "pairs": len(pairs),
        "steps": steps,
        "seconds": round(seconds, 1),
        "first_loss": round(losses[0], 4) if losses else None,
        "last_loss": round(losses[-1], 4) if losses else None,
    }
    _save(model, base_path, target, details)
    logger.info("adapted %s in %.1f s (%d steps) → %s", base_id, seconds, steps, target)
    return AdaptedModel(
        path=target,
        name=name,
        reused=False,
        seconds=seconds,
        steps=steps,
        texts=len(unique),
        details=details,
    )


def activate(models_dir: Path, adapted: AdaptedModel | None) -> None:
    """Make ``adapted`` the model the encoders use for this data directory (``None``: the base
    model again). Written atomically."""
    models_dir.mkdir(parents=True, exist_ok=True)
    pointer = models_dir / ACTIVE_FILE
    if adapted is None:
        pointer.unlink(missing_ok=True)
        return
    handle, name = tempfile.mkstemp(prefix=f".{ACTIVE_FILE}.", dir=models_dir)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"model": adapted.name}, out)
    os.replace(name, pointer)


def active_model_path(models_dir: Path) -> Path | None:
    """The adapted model made active by :func:`activate`, or ``None``.

    Raises:
        ModelUnavailableError: the pointer names a folder that is missing or unreadable.
    """
    pointer = models_dir / ACTIVE_FILE
    if not pointer.is_file():
        return None
    try:
        name = str(json.loads(pointer.read_text(encoding="utf-8"))["model"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelUnavailableError(f"unreadable {pointer}: {error}") from error
    path = models_dir / name
    if not (path / "config.json").is_file() or "/" in name:
        raise ModelUnavailableError(
            f"{pointer} names the adapted model {name!r}, which is not under {models_dir}; "
            "run 'matcher adapt' again or 'matcher adapt --off'"
        )
    return path


# ---------------------------------------------------------------------- training


def _unique(texts: Sequence[AdaptationText]) -> list[AdaptationText]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for text in texts:
        key = (text.title, text.body)
        if (text.title or text.body) and key not in seen:
            seen.add(key)
            unique.append(text)
    # A canonical order: the input order must not change the model.
    return sorted(unique, key=lambda t: (t.group, t.title, t.body))


def _pairs(texts: list[AdaptationText], config: AdaptationConfig) -> list[tuple[str, str]]:
    if config.objective == "title-abstract":
        return [(t.title, t.body) for t in texts if t.title and t.body]
    if config.objective == "simcse":
        return [(t.content, t.content) for t in texts]
    rng = np.random.default_rng(config.seed)
    groups: dict[str, list[AdaptationText]] = defaultdict(list)
    for text in texts:
        groups[text.group].append(text)
    pairs = []
    for group in sorted(groups):
        items = groups[group]
        if len(items) < 2:
            continue
        order = rng.permutation(len(items))
        for a, b in zip(order[::2], order[1::2], strict=False):
            pairs.append((items[a].content, items[b].content))
    return pairs


def _batches(
    pairs: list[tuple[str, str]], config: AdaptationConfig, rng: np.random.Generator
) -> list[list[tuple[str, str]]]:
    batches = []
    for _ in range(config.epochs):
        order = rng.permutation(len(pairs))
        for start in range(0, len(order), config.batch_size):
            batch = [pairs[i] for i in order[start : start + config.batch_size]]
            if len(batch) >= 2:
                batches.append(batch)
    return batches[: config.max_steps] if config.max_steps else batches


def _train(
    base_path: Path,
    pairs: list[tuple[str, str]],
    config: AdaptationConfig,
    progress: Callable[[int, int], None] | None,
) -> tuple[Any, int, list[float]]:
    import torch

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = load_sentence_transformer(base_path)
    encode_length = model.max_seq_length
    model.max_seq_length = min(config.train_seq_length, encode_length or config.train_seq_length)
    batches = _batches(pairs, config, rng)
    teacher: dict[str, Any] = {}
    if config.anchor > 0:
        # The original model's view of every training text, computed once (no dropout).
        texts = sorted({text for pair in pairs for text in pair})
        model.eval()
        with torch.no_grad():
            for start in range(0, len(texts), 64):
                part = texts[start : start + 64]
                teacher.update(zip(part, _embed(model, part), strict=True))
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    warmup = max(1, math.ceil(0.1 * len(batches)))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (len(batches) - step) / max(1, len(batches) - warmup))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, factor)
    model.train()
    losses: list[float] = []
    cross_entropy = torch.nn.CrossEntropyLoss()
    for step, batch in enumerate(batches):
        left = _embed(model, [a for a, _ in batch])
        right = _embed(model, [b for _, b in batch])
        logits = config.scale * left @ right.T
        labels = torch.arange(len(batch))
        loss = (cross_entropy(logits, labels) + cross_entropy(logits.T, labels)) / 2
        if config.anchor > 0:
            original = torch.stack([teacher[a] for a, _ in batch] + [teacher[b] for _, b in batch])
            moved = torch.cat([left, right]) - original
            loss = loss + config.anchor * moved.pow(2).sum(dim=1).mean()
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if progress is not None:
            progress(step + 1, len(batches))
    model.eval()
    model.max_seq_length = encode_length
    return model, len(batches), losses


def _embed(model: Any, texts: list[str]) -> Any:
    import torch

    # ``preprocess`` replaces the deprecated ``tokenize`` in sentence-transformers 6.
    prepare = getattr(model, "preprocess", None) or model.tokenize
    features = prepare(texts)
    output = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(output, dim=1)


def _save(model: Any, base_path: Path, target: Path, details: dict[str, Any]) -> None:
    """The base model's folder with the new transformer weights: same tokenizer, pooling and
    ``sentence_bert_config.json`` (the ONNX encoder reads the window from it), so the adapted
    model differs from the base in its weights only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(
            base_path,
            scratch,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx", "README.md", ".*"),
        )
        model[0].auto_model.save_pretrained(str(scratch), safe_serialization=True)
        stable = {k: v for k, v in details.items() if k not in RUN_STATISTICS}
        statistics = {k: v for k, v in details.items() if k in RUN_STATISTICS}
        for name, content in ((ADAPTATION_FILE, stable), (TRAINING_FILE, statistics)):
            (scratch / name).write_text(
                json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        scratch.chmod(0o755)  # mkdtemp's 0700 would hide the model from a server's user
        if target.exists():  # a half-written folder from an interrupted run
            shutil.rmtree(target)
        os.replace(scratch, target)
    except OSError as error:
        raise ModelUnavailableError(
            f"cannot save the adapted model to {target}: {error}"
        ) from error
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
