#!/usr/bin/python3
"""Decimation to 10% on a volume's raw marching-cubes surface: meshpipe against VTK 9.1.

Usage (Debian's python3 with python3-vtk9; compile first with `./mvnw -q -B -o -pl mesh -am compile`):
  /usr/bin/python3 tools/bench_decimate.py /usr/share/mricron/templates/ch2.nii.gz --iso 44.1

It runs dev.meshpipe.mesh.finish.DecimateBench (marching cubes, then QuadricDecimator; median of
--repeat timed runs after --warmup ones, --threads threads), which also writes the raw and the
decimated surfaces as PLY; then decimates the same raw surface with vtkQuadricDecimation
(TargetReduction 0.9, VolumePreservationOn) and, with --with-pro, vtkDecimatePro (TargetReduction
0.9, PreserveTopologyOn), vtkSMPTools with the same number of threads, median of --vtk-repeat runs.
For each output it prints triangles, boundary and non-manifold edges (vtkFeatureEdges), enclosed
volume change, and the distances between the vertices of one surface and the other surface
(vtkDistancePolyDataFilter, both ways), then the symmetric Hausdorff figures (the larger of the two
directions for max, p95 and mean) in mm and in voxels (the volume's largest spacing), meshpipe's
time over each VTK filter's, and each goal of issue 14 with met / NOT met. The load average is
printed before and after: on a shared machine only the ratio within one run means much.
"""
import argparse, glob, json, os, statistics, subprocess, sys, tempfile, time

import vtk
from vtk.util.numpy_support import vtk_to_numpy
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def classpath():
    if os.environ.get("BENCH_CLASSPATH"):  # a copy of the classes, when a build may rewrite them meanwhile
        return os.environ["BENCH_CLASSPATH"]
    m2 = os.path.expanduser("~/.m2/repository")
    jars = sorted(glob.glob(f"{m2}/com/fasterxml/jackson/core/*/2.*/*.jar"))
    return ":".join([os.path.join(ROOT, "mesh/target/classes"), os.path.join(ROOT, "common/target/classes")] + jars)


def read_ply(path):
    r = vtk.vtkPLYReader()
    r.SetFileName(path)
    r.Update()
    out = vtk.vtkPolyData()
    out.DeepCopy(r.GetOutput())
    return out


def edges(poly):
    counts = {}
    for kind in ("boundary", "nonmanifold"):
        f = vtk.vtkFeatureEdges()
        f.SetInputData(poly)
        f.BoundaryEdgesOff()
        f.FeatureEdgesOff()
        f.ManifoldEdgesOff()
        f.NonManifoldEdgesOff()
        if kind == "boundary":
            f.BoundaryEdgesOn()
        else:
            f.NonManifoldEdgesOn()
        f.Update()
        counts[kind] = f.GetOutput().GetNumberOfLines()
    return counts


def volume(poly):
    m = vtk.vtkMassProperties()
    m.SetInputData(poly)
    m.Update()
    return m.GetVolume()


def distances(raw, dec):
    """Unsigned distances from raw's vertices to dec's surface and from dec's vertices to raw's."""
    f = vtk.vtkDistancePolyDataFilter()
    f.SetInputData(0, raw)
    f.SetInputData(1, dec)
    f.SignedDistanceOff()
    f.ComputeSecondDistanceOn()
    f.Update()
    a = np.abs(vtk_to_numpy(f.GetOutput().GetPointData().GetArray("Distance")))
    b = np.abs(vtk_to_numpy(f.GetSecondDistanceOutput().GetPointData().GetArray("Distance")))
    fig = lambda d: {"p95": float(np.percentile(d, 95)), "mean": float(d.mean()), "max": float(d.max())}
    return {"raw_to_decimated": fig(a), "decimated_to_raw": fig(b)}


def clean_triangles(poly):
    # vtkDecimatePro and vtkQuadricDecimation want triangles; PLY gives them already.
    return poly


def time_vtk(make, raw, repeat):
    times = []
    out = None
    for _ in range(repeat):
        f = make()
        f.SetInputData(raw)
        t0 = time.perf_counter()
        f.Update()
        times.append((time.perf_counter() - t0) * 1000)
        out = vtk.vtkPolyData()
        out.DeepCopy(f.GetOutput())
    return statistics.median(times), times, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("volume")
    ap.add_argument("--iso", default="otsu")
    ap.add_argument("--borders", default="closed")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--vtk-repeat", type=int, default=3)
    ap.add_argument("--with-pro", action="store_true", help="also time vtkDecimatePro")
    ap.add_argument("--java-opts", default="-Xms4g -Xmx4g")
    args = ap.parse_args()

    load_before = os.getloadavg()
    tmp = tempfile.mkdtemp(prefix="bench_decimate_")
    raw_ply = os.path.join(tmp, "raw.ply")
    out_ply = os.path.join(tmp, "meshpipe.ply")
    cmd = ["java"] + args.java_opts.split() + ["-cp", classpath(), "dev.meshpipe.mesh.finish.DecimateBench", args.volume,
           "--iso", args.iso, "--borders", args.borders, "--threads", str(args.threads), "--fraction", "0.1",
           "--repeat", str(args.repeat), "--warmup", str(args.warmup), "--raw-ply", raw_ply, "--out-ply", out_ply]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(res.stderr)
    mp = json.loads(res.stdout.strip().splitlines()[-1])

    vtk.vtkSMPTools.Initialize(args.threads)
    raw = read_ply(raw_ply)
    ours = read_ply(out_ply)

    def quadric():
        f = vtk.vtkQuadricDecimation()
        f.SetTargetReduction(0.9)
        f.VolumePreservationOn()
        return f

    def pro():
        f = vtk.vtkDecimatePro()
        f.SetTargetReduction(0.9)
        f.PreserveTopologyOn()
        return f

    rows = [("meshpipe QuadricDecimator", mp["ms_median"], mp["ms_all"], ours)]
    peers = [("vtkQuadricDecimation", quadric)] + ([("vtkDecimatePro", pro)] if args.with_pro else [])
    for name, make in peers:
        med, all_, out = time_vtk(make, raw, args.vtk_repeat)
        rows.append((name, med, all_, out))

    v0 = volume(raw)
    print(f"# {args.volume} iso {mp['iso']} borders {args.borders}, {args.threads} threads, "
          f"raw {raw.GetNumberOfPolys()} triangles, {time.strftime('%Y-%m-%d')}")
    voxel = mp["voxel_mm"]
    print(f"# load average before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; voxel {voxel} mm")
    print(f"# meshpipe phases (ms, median run): {mp['phases_ms']}, passes {mp['passes']}, "
          f"collapses {mp['collapses']}, refused {mp['refused']}, largest RMS plane error {mp['max_error_mm']:.3f} mm")
    print("| decimator | ms (median) | runs (ms) | triangles | boundary edges | non-manifold edges | volume change | "
          "raw->decimated p95 / mean / max (mm) | decimated->raw p95 / mean / max (mm) | "
          "Hausdorff max / p95 / mean (mm) | (voxels) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    result = {"meshpipe": mp, "rows": []}
    for name, med, all_, out in rows:
        e = edges(out)
        d = distances(raw, out)
        dv = (volume(out) - v0) / v0 * 100
        a, b = d["raw_to_decimated"], d["decimated_to_raw"]
        h = {k: max(a[k], b[k]) for k in ("max", "p95", "mean")}
        print(f"| {name} | {med:.0f} | {', '.join(f'{t:.0f}' for t in all_)} | {out.GetNumberOfPolys()} | {e['boundary']} | "
              f"{e['nonmanifold']} | {dv:+.3f}% | {a['p95']:.3f} / {a['mean']:.3f} / {a['max']:.2f} | "
              f"{b['p95']:.3f} / {b['mean']:.3f} / {b['max']:.2f} | "
              f"{h['max']:.2f} / {h['p95']:.3f} / {h['mean']:.3f} | "
              f"{h['max'] / voxel:.2f} / {h['p95'] / voxel:.3f} / {h['mean'] / voxel:.3f} |")
        result["rows"].append({"name": name, "ms": med, "runs": all_, "triangles": out.GetNumberOfPolys(), **e,
                               "volume_change_pct": dv, "hausdorff_mm": h, **d})
    for name, med, _, _ in rows[1:]:
        print(f"ratio meshpipe / {name}: {rows[0][1] / med:.3f}")
    ours_row = result["rows"][0]
    ratio = rows[0][1] / rows[1][1]
    met = lambda ok: "met" if ok else "NOT met"
    print(f"goal: time at most 0.05 of vtkQuadricDecimation's: {ratio:.3f}, {met(ratio <= 0.05)}")
    print(f"goal: closed and manifold: boundary edges {ours_row['boundary']}, non-manifold edges "
          f"{ours_row['nonmanifold']}, {met(ours_row['boundary'] == 0 and ours_row['nonmanifold'] == 0)}")
    hp = ours_row["hausdorff_mm"]
    print(f"goal: Hausdorff p95 at most 0.5 voxel: {hp['p95'] / voxel:.3f} voxel, {met(hp['p95'] <= 0.5 * voxel)}")
    print(f"goal: Hausdorff mean at most 0.1 voxel: {hp['mean'] / voxel:.3f} voxel, {met(hp['mean'] <= 0.1 * voxel)}")
    with open(os.path.join(tmp, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"# details: {os.path.join(tmp, 'result.json')}")


if __name__ == "__main__":
    main()
