"""PyTorch reference for `murmur bench asr`: the same speech recogniser trained the same way.

Usage: python3 bench_asr_torch.py SECONDS THREADS[,THREADS...] [BATCH FRAMES LABELS]
Prints one line per thread count: `threads utterance_seconds_per_second median_ms`.

The model is Murmur's quickstart encoder: Conv1d(80 -> 144, kernel 7, stride 3) + GELU, a linear
projection, sinusoidal positions, 4 pre-LN transformer encoder layers (width 144, 4 heads, FFN 576,
GELU, no dropout) with the padding mask, a final LayerNorm and a linear CTC head over 30 classes;
loss CTC (sum / target characters), backward and a plain SGD step, on CPU in float32. Used only to
time a reference; never part of Murmur's product or tests.
"""
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Recogniser(nn.Module):
    def __init__(self, features=80, width=144, heads=4, layers=4, ffn=576, classes=30, kernel=7, stride=3):
        super().__init__()
        self.kernel, self.stride = kernel, stride
        self.conv = nn.Conv1d(features, width, kernel, stride)
        self.project = nn.Linear(width, width)
        layer = nn.TransformerEncoderLayer(width, heads, ffn, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.final = nn.LayerNorm(width)
        self.head = nn.Linear(width, classes)
        self.width = width

    def positions(self, steps):
        position = torch.arange(steps, dtype=torch.float32)[:, None]
        index = torch.arange(0, self.width, 2, dtype=torch.float32)
        angle = position / torch.pow(10000.0, index / self.width)
        table = torch.zeros(steps, self.width)
        table[:, 0::2] = torch.sin(angle)
        table[:, 1::2] = torch.cos(angle)
        return table

    def forward(self, x, frames):
        h = F.gelu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        steps = h.shape[1]
        h = self.project(h) + self.positions(steps)
        lengths = (frames - self.kernel) // self.stride + 1
        mask = torch.arange(steps)[None, :] >= lengths[:, None]
        h = self.encoder(h, src_key_padding_mask=mask)
        return self.head(self.final(h)), lengths


def main():
    seconds = float(sys.argv[1])
    thread_counts = [int(t) for t in sys.argv[2].split(",")]
    batch, frames, labels = (int(v) for v in sys.argv[3:6]) if len(sys.argv) >= 6 else (8, 400, 40)
    torch.manual_seed(0)
    model = Recogniser()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(batch, frames, 80)
    frame_counts = torch.full((batch,), frames, dtype=torch.long)
    targets = torch.randint(1, 30, (batch, labels))
    target_lengths = torch.full((batch,), labels, dtype=torch.long)

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits, lengths = model(x, frame_counts)
        log_probs = logits.log_softmax(-1).transpose(0, 1)
        loss = F.ctc_loss(log_probs, targets, lengths, target_lengths, reduction="sum") / target_lengths.sum()
        loss.backward()
        optimizer.step()

    for threads in thread_counts:
        torch.set_num_threads(threads)
        for _ in range(3):
            step()
        times = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end or len(times) < 5:
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
        times.sort()
        median = times[len(times) // 2]
        print(threads, batch * frames / 100.0 / median, median * 1000.0, flush=True)


if __name__ == "__main__":
    main()
