"""The flow Prefect's process worker runs for the trigger → RUNNING benchmark (bench/prefect.ts):
the equivalent of examples/hello.ts, a flow with one task."""
from prefect import flow, task


@task(retries=2)
def greet(name: str) -> str:
    return f"Hello, {name}!"


@flow(name="hello-flow")
def hello(name: str = "World") -> None:
    print(greet(name))
