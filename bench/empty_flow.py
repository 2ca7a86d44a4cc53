"""An empty Prefect flow, run the way `satudata run` runs its flow: the floor of Prefect's own cost."""

from pathlib import Path

from satudata.core.settings import quiet_environment

quiet_environment(Path(__file__).resolve().parent.parent)

from prefect import flow  # noqa: E402


@flow(name="empty")
def empty() -> int:
    return 0


if __name__ == "__main__":
    empty()
