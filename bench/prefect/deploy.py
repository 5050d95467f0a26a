"""Creates the process work pool and deploys flows.py:hello from this directory (no image, no Docker:
the process worker runs it in place). Prints the deployment id as JSON on the last line."""
import json
import sys
from pathlib import Path

from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate

pool = sys.argv[1]
here = str(Path(__file__).resolve().parent)

with get_client(sync_client=True) as client:
    client.create_work_pool(WorkPoolCreate(name=pool, type="process"), overwrite=True)

deployment_id = flow.from_source(source=here, entrypoint="flows.py:hello").deploy(
    name="bench", work_pool_name=pool, print_next_steps=False, build=False, push=False, ignore_warnings=True
)
print(json.dumps({"deployment_id": str(deployment_id)}))
