import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The suite never writes into the user's own folders: runs, user presets and data go to a temporary
# folder (the cache stays: torchvision's weights live there). Subprocesses inherit this.
_USER = tempfile.mkdtemp(prefix="gan-studio-tests-")
atexit.register(shutil.rmtree, _USER, ignore_errors=True)
os.environ["GAN_STUDIO_RUNS"] = os.path.join(_USER, "runs")
os.environ["XDG_DATA_HOME"] = os.path.join(_USER, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_USER, "config")
os.environ.pop("GAN_STUDIO_PRESETS", None)

# One intra-op thread: the test models are tiny, and on a loaded 2-core machine spinning OpenMP
# threads make a step many times slower (the trainer makes the same choice for toy problems).
import torch  # noqa: E402

os.environ["GAN_STUDIO_THREADS"] = "1"
torch.set_num_threads(1)
