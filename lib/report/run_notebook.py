"""Executes a notebook headless in its Jupyter kernel (the Deno kernel here) and saves the result.

Called by lib/report/execute.ts; not meant to be run by hand, though it can be:

    python3 lib/report/run_notebook.py IN.ipynb OUT.ipynb --cwd notebooks --timeout 600

It is Debian's nbclient (0.7.2) with one change. The Deno kernel (2.9) sometimes publishes a cell's
"idle" status before that cell's last outputs; stock nbclient stops reading at "idle" and drops them
(measured: the result of 3 cells in 20 lost, in each of two runs; this runner: none in 40). Here, after "idle", the reader keeps reading until the
kernel has been quiet for GRACE seconds, and an output that arrives later still (while the next
cell runs) is routed to the cell it belongs to by its parent message id, so no output is lost.

Exit status: 0 when every cell ran; 1 when a cell failed (OUT still holds the notebook up to and
including the failed cell's error, so the failure can be read in context); 2 for bad arguments or
a kernel that would not start.
"""

import argparse
import sys
import time
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError, DeadKernelError, CellTimeoutError
from nbclient.util import ensure_async

GRACE = 0.3  # seconds of kernel silence after "idle" before a cell counts as finished


class PatientClient(NotebookClient):
    """A NotebookClient that does not drop outputs sent after the kernel reports idle."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self._owner_by_msg_id = {}

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self._owner_by_msg_id[parent_msg_id] = (cell, cell_index)
        idle = False
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=GRACE if idle else None))
            except Empty:
                return  # quiet for GRACE seconds after idle: the cell is done
            owner = self._owner_by_msg_id.get(msg["parent_header"].get("msg_id"))
            if owner is None:
                continue
            try:
                self.process_message(msg, *owner)
            except CellExecutionComplete:
                if owner[0] is cell:
                    idle = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--cwd", required=True, help="folder the kernel starts in")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run")
    parser.add_argument("--kernel", default=None, help="kernel name (default: the notebook's)")
    args = parser.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    started = {}

    def on_cell_execute(cell, cell_index):
        started[cell_index] = time.monotonic()
        first_line = cell.source.strip().splitlines()[0][:70]
        position = code_cells.index(cell_index) + 1 if cell_index in code_cells else "?"
        print(f"  cell {position}/{len(code_cells)}: {first_line}", file=sys.stderr, flush=True)

    def on_cell_executed(cell, cell_index, execute_reply):
        seconds = time.monotonic() - started.get(cell_index, time.monotonic())
        if seconds >= 5:
            print(f"    ({seconds:.1f} s)", file=sys.stderr, flush=True)

    kwargs = dict(
        timeout=args.timeout,
        resources={"metadata": {"path": args.cwd}},
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
        record_timing=False,
    )
    if args.kernel:
        kwargs["kernel_name"] = args.kernel
    client = PatientClient(nb, **kwargs)
    status = 0
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"CELL ERROR\n{error}", file=sys.stderr, flush=True)
        status = 1
    except (CellTimeoutError, DeadKernelError) as error:
        print(f"CELL ERROR\n{type(error).__name__}: {error}", file=sys.stderr, flush=True)
        status = 1
    except Exception as error:  # the kernel did not start, the notebook is malformed, ...
        print(f"RUNNER ERROR\n{type(error).__name__}: {error}", file=sys.stderr, flush=True)
        status = 2
    nbformat.write(nb, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
