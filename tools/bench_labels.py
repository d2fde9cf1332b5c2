#!/usr/bin/python3
"""Label-map surfaces: meshpipe's LabelSurfaces.extract against VTK's vtkDiscreteFlyingEdges3D.

Usage (Debian's python3 with python3-vtk9; run from the repository root after compiling the mesh
module, e.g. `./mvnw -q -B -o -pl common,mesh compile`):
  /usr/bin/python3 tools/bench_labels.py [/usr/share/mricron/templates/aal.nii.gz] [--threads 2] [--repeats 15]
      [--vtk-repeats N] [--classes DIR]

VTK contours every label from 1 to the largest (GenerateValues) with vtkSMPTools limited to the
thread count; meshpipe runs dev.meshpipe.mesh.labels.LabelBench from mesh/target/classes (no
`mvn install` needed: the jackson jars come from ~/.m2 at the version the parent pom pins). Both
report the median of the timed repeats after a warm-up. Prints one JSON object.

--classes names another mesh/target/classes (a copy of an older build) so old and new can be run
in turn in one sitting: on a shared machine only alternating runs compare. --vtk-repeats (default:
--repeats) shortens the VTK side, which takes ten times as long.

With --job-repeats N (default 3; 0 skips it) it also times the whole smoothed library job,
LabelJob.run with constrained smoothing, an STL per structure, labels.glb, labels.3mf and
quality.json written to a temporary directory, reading the file included, N times after two
warm-ups, with the Hausdorff measurement per structure and without it.
"""
import argparse, glob, json, os, re, statistics, subprocess, sys, time

import numpy as np
import vtk
from vtk.util.numpy_support import vtk_to_numpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vtk_side(path, threads, repeats):
    vtk.vtkSMPTools.Initialize(threads)
    reader = vtk.vtkNIFTIImageReader()
    reader.SetFileName(path)
    reader.Update()
    img = reader.GetOutput()
    lo, hi = img.GetScalarRange()
    labels = int(hi)
    fe = vtk.vtkDiscreteFlyingEdges3D()
    fe.SetInputData(img)
    fe.GenerateValues(labels, 1, labels)
    fe.ComputeNormalsOff()
    fe.ComputeGradientsOff()
    fe.ComputeScalarsOn()
    times = []
    cpu = []
    for i in range(3 + repeats):
        fe.Modified()
        c = time.process_time()
        t = time.perf_counter()
        fe.Update()
        if i >= 3:
            times.append((time.perf_counter() - t) * 1000)
            # CPU time of all threads: the work, apart from waiting for a core on a shared machine.
            cpu.append((time.process_time() - c) * 1000)
    out = fe.GetOutput()
    polys = vtk_to_numpy(out.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    scalars = vtk_to_numpy(out.GetPointData().GetScalars())
    per = np.bincount(scalars[polys[:, 0]].astype(np.int64), minlength=labels + 1)
    return {"backend": vtk.vtkSMPTools.GetBackend(), "median_ms": statistics.median(times), "min_ms": min(times),
            "median_process_cpu_ms": statistics.median(cpu),
            "triangles": int(out.GetNumberOfPolys()), "per_label": {str(l): int(per[l]) for l in range(1, labels + 1) if per[l]}}


def classpath(classes=None):
    pom = open(os.path.join(ROOT, "pom.xml")).read()
    version = re.search(r"<jackson.version>([^<]+)</jackson.version>", pom).group(1)
    m2 = os.path.expanduser("~/.m2/repository/com/fasterxml/jackson")
    jars = []
    for artifact in ("core/jackson-databind", "core/jackson-core", "core/jackson-annotations", "datatype/jackson-datatype-jsr310"):
        name = artifact.split("/")[1]
        found = glob.glob(f"{m2}/{artifact}/{version}/{name}-{version}.jar") or \
            sorted(glob.glob(f"{m2}/{artifact}/{version.rsplit('.', 1)[0]}*/{name}-*.jar"))
        jars.append(found[0])
    return ":".join([classes or os.path.join(ROOT, "mesh/target/classes"), os.path.join(ROOT, "common/target/classes")] + jars)


def meshpipe_side(path, threads, repeats, mode=None, classes=None):
    command = ["java", "-cp", classpath(classes), "dev.meshpipe.mesh.labels.LabelBench", path, str(threads), str(repeats)]
    out = subprocess.run(command + ([mode] if mode else []), check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input", nargs="?", default="/usr/share/mricron/templates/aal.nii.gz")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--job-repeats", type=int, default=3)
    ap.add_argument("--vtk-repeats", type=int)
    ap.add_argument("--classes", help="mesh classes directory to time instead of this tree's mesh/target/classes")
    a = ap.parse_args()
    load_before = os.getloadavg()
    v = vtk_side(a.input, a.threads, a.vtk_repeats or a.repeats)
    m = meshpipe_side(a.input, a.threads, a.repeats, classes=a.classes)
    ratios = []
    for label, mine in m["labels"].items():
        theirs = v["per_label"].get(label)
        if theirs:
            ratios.append(mine["triangles"] / theirs)
    ratios.sort()
    jobs = {}
    if a.job_repeats > 0:
        for mode in ("job", "job-no-hausdorff"):
            jobs[mode] = meshpipe_side(a.input, a.threads, a.job_repeats, mode, a.classes)
    print(json.dumps({
        "input": a.input, "threads": a.threads, "repeats": a.repeats, "classes": a.classes or "mesh/target/classes",
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
        "vtk_discrete_flying_edges": {k: v[k] for k in ("backend", "median_ms", "median_process_cpu_ms", "min_ms", "triangles")},
        "meshpipe_label_surfaces": {k: m.get(k) for k in ("median_ms", "median_process_cpu_ms", "mean_process_cpu_ms", "mean_gc_ms", "min_ms", "max_ms",
                                                      "structures", "triangles",
                                                      "structures_with_non_manifold_edges", "non_manifold_edges",
                                                      "worst_relative_volume_difference")},
        "time_ratio_meshpipe_over_vtk": round(m["median_ms"] / v["median_ms"], 3),
        "cpu_time_ratio_meshpipe_over_vtk": round(m["median_process_cpu_ms"] / v["median_process_cpu_ms"], 3),
        "per_label_triangle_ratio_meshpipe_over_vtk": {
            "labels_compared": len(ratios), "min": round(ratios[0], 3), "median": round(statistics.median(ratios), 3),
            "max": round(ratios[-1], 3)},
        "meshpipe_smoothed_label_job": jobs,
    }, indent=1))


if __name__ == "__main__":
    main()
