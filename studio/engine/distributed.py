"""Several processes under torchrun: each rank samples its own data stream and gradients are
averaged across ranks before every optimiser step (the same arithmetic as DistributedDataParallel,
and it also works for gradient penalties and alternating D/G passes, which DDP's reducer does not
handle). Only rank 0 writes the run directory."""
from __future__ import annotations

import os

import torch
import torch.distributed as dist


def world() -> tuple[int, int, int]:
    """(rank, local_rank, world_size), starting the process group when torchrun asks for several."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return 0, 0, 1
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend=backend)
    return dist.get_rank(), int(os.environ.get("LOCAL_RANK", "0")), dist.get_world_size()


def average_gradients(module: torch.nn.Module, size: int) -> None:
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= size
    offset = 0
    for g in grads:
        n = g.numel()
        g.copy_(flat[offset:offset + n].view_as(g))
        offset += n


def broadcast_parameters(module: torch.nn.Module) -> None:
    for t in list(module.parameters()) + list(module.buffers()):
        dist.broadcast(t.data, src=0)


def finish() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
