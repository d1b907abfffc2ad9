"""The Rasa server `zhicheng run` starts: Rasa's own `rasa run`, with three measured per-message
costs of Rasa 3.6's machinery and one start-up cost taken out first. They are installed here,
when this entry point starts, never on import; `rasa run` (and every other Rasa command) works
as before without them.

    python -m bot.rasaserver run --port 5005 --model models ...   (the arguments of `rasa run`)

- **The action server's connections are kept.** `EndpointConfig.request` opens a new aiohttp
  session, and with it a new TCP connection, for every call of a custom action (every message):
  measured ~1.2 ms of the Rasa process per message with bench/profile.py, plus the action
  server's side of each new connection. Here each endpoint keeps one session whose idle
  connections live 2 s, far less than the 75 s after which the action server closes them
  (bot.actionserver: Sanic's default 5 s was overtaken when a burst delayed this event loop), so
  a kept connection is never one the server is closing.
- **The graphs run in order, without dask.** Rasa runs the NLU pipeline and the policies of
  every message through `dask.get` on one thread, building the dask graph and the minimal
  schema on every call (~1 ms per message). The predict graph is a chain of NLU components and
  policies that read the tracker; `InOrderGraphRunner` runs the same nodes with the same
  inputs, one after the other in an order that respects every dependency, with the minimal
  schema and that order computed once per set of targets.
- **Action-server replies are validated with a schema compiled once** (bot.action_validation):
  Rasa re-checks the JSON-Schema meta-schema for every custom action it runs.
- **The classifier is built without a training step.** To give DIET its variables before it
  reads the trained weights, `RasaModel.load` runs `fit` on one example: TensorFlow traces the
  whole training step (loss, gradients, Adam) for it, ~17 of the ~37 s this server took to start
  (py-spy, 2026-11-25). `load_without_fit` computes the same loss once, eagerly, which creates
  the same variables, then reads the weights and traces the prediction as Rasa does; the
  optimizer's state in the checkpoint is left unread (nothing predicts with it).
  `tests/test_model_load.py` checks that the intents and confidences are the very same.
"""
from __future__ import annotations

import asyncio
import sys
from graphlib import TopologicalSorter
from typing import Any

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.utils.endpoints import EndpointConfig

IDLE_CONNECTION_SECONDS = 2.0  # well below the action server's KEEP_ALIVE_TIMEOUT (bot.actionserver, 75 s)


class _Kept:
    """`async with` over a kept session: entering gives it, leaving does not close it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> bool:
        return False


def _kept_session(self: EndpointConfig) -> _Kept:
    """What `EndpointConfig.session` makes (Rasa's headers, auth and timeout), made once per
    endpoint and event loop, with idle connections kept for IDLE_CONNECTION_SECONDS."""
    loop = asyncio.get_running_loop()
    session = self.__dict__.get("_zc_session")
    if session is None or session.closed or session._loop is not loop:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) \
            if self.basic_auth else None
        session = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS))
        self.__dict__["_zc_session"] = session
    return _Kept(session)


class InOrderGraphRunner(DaskGraphRunner):  # type: ignore[misc]  # Rasa ships no type information
    """Rasa's graph runner without dask: the nodes needed for the targets, each once, after
    the nodes it needs (what `dask.get` does on one thread), the plan computed once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[str, ...], list[tuple[str, Any, list[str]]]] = {}

    def _plan(self, targets: tuple[str, ...]) -> list[tuple[str, Any, list[str]]]:
        plan = self._plans.get(targets)
        if plan is None:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            order = TopologicalSorter({name: [n for n in node.needs.values() if n in schema.nodes]
                                       for name, node in schema.nodes.items()}).static_order()
            plan = [(name, self._instantiated_nodes[name], list(schema.nodes[name].needs.values()))
                    for name in order]
            self._plans[targets] = plan
        return plan

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        values: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(f"Input value '{value}' clashes with a node name. Make sure that none of the "
                                    f"input names passed to the `run` method are the same as node names in the "
                                    f"graph schema.")
            values[name] = (name, value)
        try:
            for name, node, needs in plan:
                values[name] = node(*[values.get(n, n) for n in needs])  # dask passes an unknown key as is
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(values[t] for t in run_targets)


def load_without_fit(cls: Any, model_file_name: str, model_data_example: Any, predict_data_example: Any = None,
                     finetune_mode: bool = False, *args: Any, **kwargs: Any) -> Any:
    """RasaModel.load (rasa/utils/tensorflow/models.py) with the loss computed once, eagerly,
    instead of `fit` on one example: the variables are created alike, then overwritten by the
    trained weights. Fine-tuning (which trains on) keeps Rasa's own load."""
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    if finetune_mode:
        return _RASA_LOAD(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                          *args, **kwargs)
    model = cls(*args, **kwargs)
    batch_in = RasaBatchDataGenerator(model_data_example, batch_size=1)[0][0]
    model._training = True  # as RasaModel.train_step sets it around batch_loss
    model.batch_loss(batch_in)
    model._training = None
    model.load_weights(model_file_name).expect_partial()  # the optimizer's slots: not needed to predict
    if predict_data_example:  # Rasa's own last step: trace the prediction before the first message
        import tensorflow as tf
        from rasa.utils.train_utils import create_data_generators
        generator, _ = create_data_generators(model_data=predict_data_example, batch_sizes=1, epochs=1, shuffle=False)
        # traced as written (its Python runs once, on the tracing): autograph's rewriting of the
        # source is for tensor-dependent `if`s and loops, and a tensor used as a Python condition
        # would stop this trace with an error, never change what the graph computes
        model._tf_predict_step = tf.function(model.predict_step, autograph=False,
                                             input_signature=model._dynamic_signature(generator[0][0]))
        model.run_inference(predict_data_example)
    return model


_RASA_LOAD: Any = None


def install() -> None:
    """The four changes, for this process (idempotent)."""
    global _RASA_LOAD
    import rasa.core.processor
    from rasa.utils.tensorflow.models import RasaModel

    from bot import action_validation
    action_validation.install()
    EndpointConfig.session = _kept_session
    rasa.core.processor.DaskGraphRunner = InOrderGraphRunner  # the runner the processor loads models with
    if _RASA_LOAD is None:
        _RASA_LOAD = RasaModel.load.__func__
        RasaModel.load = classmethod(load_without_fit)


def main(argv: list[str] | None = None) -> int:
    install()
    from rasa.__main__ import main as rasa_main
    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
