"""``python -m bench.report_libraries RUN_FOLDER``: the measurement behind the report's plotting library.

Draws the two heaviest figures of a run report (every network measure in 12 panels; the network sample
of 400 agents with its ties) with matplotlib and with Vega-Altair + vl-convert-python, each as SVG, PNG
and PDF, in a fresh process per library, and prints the seconds and bytes as JSON. Altair is not a
dependency of trustsim: install ``altair vl-convert-python`` to compare; without them only matplotlib is
measured. Install sizes are the installed folders in site-packages (see the README, "Reports").
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import networkx as nx
import numpy as np
import polars as pl


def data(run: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict]:
    metrics = pl.read_parquet(f"{run}/metrics.parquet")
    agents = pl.read_parquet(f"{run}/agents.parquet")
    edges = pl.read_parquet(f"{run}/edges.parquet")
    nodes = np.sort(np.random.default_rng(1).choice(agents.height, 400, replace=False))
    ties = edges.filter(pl.col("source").is_in(nodes.tolist()) & pl.col("target").is_in(nodes.tolist()))
    graph = nx.Graph()
    graph.add_nodes_from(nodes.tolist())
    graph.add_edges_from(zip(ties["source"].to_list(), ties["target"].to_list(), strict=True))
    return metrics, agents.filter(pl.col("agent").is_in(nodes.tolist())), ties, nx.spring_layout(graph, seed=1)


def with_altair(run: str) -> dict:
    started = time.perf_counter()
    import altair as alt
    import vl_convert as vlc

    metrics, agents, ties, pos = data(run)
    xy = pl.DataFrame({"agent": list(pos), "x": [p[0] for p in pos.values()], "y": [p[1] for p in pos.values()]})
    panels = (alt.Chart(metrics.unpivot(index="day", variable_name="measure")).mark_line()
              .encode(x="day:Q", y=alt.Y("value:Q", title=None), color="measure:N")
              .properties(width=200, height=120).facet(facet="measure:N", columns=4).resolve_scale(y="independent"))
    lines = ties.join(xy.rename({"agent": "source"}), on="source").join(
        xy.rename({"agent": "target", "x": "x2", "y": "y2"}), on="target")
    network = (alt.Chart(lines).mark_rule(opacity=0.4).encode(x="x:Q", y="y:Q", x2="x2", y2="y2", color="trust:Q")
               + alt.Chart(xy.join(agents.select("agent", "reputation", "archetype"), on="agent"))
               .mark_point(filled=True).encode(x="x:Q", y="y:Q", color="reputation:Q", shape="archetype:N"))
    result = {}
    for name, chart in (("measures", panels), ("network", network.properties(width=600, height=600))):
        spec = chart.to_dict()
        begin = time.perf_counter()
        files = (vlc.vegalite_to_svg(spec), vlc.vegalite_to_png(spec, scale=2), vlc.vegalite_to_pdf(spec))
        result[name] = {"seconds": round(time.perf_counter() - begin, 3), "bytes": [len(f) for f in files]}
    bundle = vlc.vegalite_to_html(panels.to_dict(), bundle=True)
    result["html_bundle_bytes"] = len(bundle)
    return result | {"total_seconds": round(time.perf_counter() - started, 3)}


def with_matplotlib(run: str) -> dict:
    started = time.perf_counter()
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    metrics, agents, ties, pos = data(run)

    def panels() -> Figure:
        fig = Figure(figsize=(12.8, 7.2), layout="constrained")
        for ax, name in zip(fig.subplots(3, 4, sharex=True).flat, metrics.columns[1:], strict=False):
            ax.plot(metrics["day"], metrics[name])
            ax.set_title(name)
        return fig

    def network() -> Figure:
        fig = Figure(figsize=(12.8, 7.2))
        ax = fig.subplots()
        ax.add_collection(LineCollection([(pos[s], pos[t]) for s, t in ties.select("source", "target").iter_rows()],
                                         colors="grey", alpha=0.4))
        xy = np.array([pos[a] for a in agents["agent"].to_list()])
        ax.scatter(xy[:, 0], xy[:, 1], c=agents["reputation"].to_numpy(), cmap="RdYlBu")
        return fig

    result = {}
    for name, make in (("measures", panels), ("network", network)):
        begin = time.perf_counter()
        fig, sizes = make(), []
        for fmt in ("svg", "png", "pdf"):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=150)
            sizes.append(len(buffer.getvalue()))
            fig.set_layout_engine("none")      # laid out once, as the report does
        result[name] = {"seconds": round(time.perf_counter() - begin, 3), "bytes": sizes}
    return result | {"total_seconds": round(time.perf_counter() - started, 3)}


def main() -> None:
    if len(sys.argv) == 3:      # a child: one library, one run
        print(json.dumps({"altair": with_altair, "matplotlib": with_matplotlib}[sys.argv[1]](sys.argv[2])))
        return
    run, found = sys.argv[1], {}
    for library in ("matplotlib", "altair"):
        child = subprocess.run([sys.executable, "-m", "bench.report_libraries", library, run],
                               capture_output=True, text=True)
        found[library] = json.loads(child.stdout) if child.returncode == 0 else {"skipped": child.stderr.strip()[-200:]}
    print(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
