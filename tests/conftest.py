import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# One intra-op thread: the test models are tiny, and on a loaded 2-core machine spinning OpenMP
# threads make a step many times slower (the trainer makes the same choice for toy problems).
import torch  # noqa: E402

os.environ["GAN_STUDIO_THREADS"] = "1"
torch.set_num_threads(1)
