"""LeanCopilot's /encode: a text's embedding as the mean of the model's last hidden states
over its tokens (the base transformer of the policy's checkpoint, without the LM head)."""

from __future__ import annotations

import threading
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer


class Encoder:
    def __init__(self, path: str | Path, max_tokens: int = 2048) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).eval()
        self.max_tokens = max_tokens
        self._lock = threading.Lock()  # one forward at a time: CPU threads are better spent inside it

    @torch.inference_mode()
    def encode(self, text: str) -> list[float]:
        batch = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.max_tokens)
        with self._lock:
            hidden = self.model(**batch).last_hidden_state  # (1, T, H)
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (1, T, 1)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)  # (1, H)
        return pooled[0].float().tolist()
