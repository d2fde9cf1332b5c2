#!/usr/bin/python3
"""Compare meshpipe's marching cubes with VTK's vtkMarchingCubes on one volume, vertex by vertex.

Usage (Debian's python3 with python3-vtk9, python3-nibabel, python3-skimage; see ../shared/peers):
  tools/compare_vtk.py /usr/share/mricron/templates/ch2.nii.gz --iso otsu
  tools/compare_vtk.py sphere:128:50 --iso 0

It runs `./meshpipe mesh INPUT --space grid --borders open --formats ply` (VTK's convention:
vertices at index times spacing, no orientation), runs vtkMarchingCubes through the peers script's
loaders, and prints the counts and the differences. Exit status 1 when vertices or counts differ.
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.environ.get("MESHPIPE_PEERS", os.path.join(ROOT, "..", "shared", "peers")))
import peers  # noqa: E402
import vtk  # noqa: E402


def read_ply(path):
    with open(path, "rb") as f:
        nv = nf = 0
        while True:
            line = f.readline().decode("ascii").strip()
            if line.startswith("element vertex"):
                nv = int(line.split()[-1])
            elif line.startswith("element face"):
                nf = int(line.split()[-1])
            elif line == "end_header":
                break
        v = np.frombuffer(f.read(12 * nv), dtype="<f4").reshape(-1, 3)
        faces = np.frombuffer(f.read(13 * nf), dtype=np.dtype([("n", "u1"), ("i", "<i4", (3,))]))
        return v.astype(np.float64), faces["i"].astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("--iso", default="otsu")
    a = ap.parse_args()
    vol, spacing, _ = peers.load_volume(a.input)
    iso, how = peers.pick_iso(vol, a.iso)
    img, _keep = peers.make_image(np.asfortranarray(vol, dtype=np.float32), spacing)
    flt = peers.vtk_filter(vtk.vtkMarchingCubes, img, iso, False)
    flt.Update()
    vv, vf = peers.vtk_mesh(flt.GetOutput())
    with tempfile.TemporaryDirectory() as out:
        cmd = [os.path.join(ROOT, "meshpipe"), "mesh", a.input, "--iso", repr(iso), "--space", "grid",
               "--borders", "open", "--formats", "ply", "--json", "--out", out]
        res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        mv, mf = read_ply(os.path.join(out, "mesh.ply"))
    ours = set(map(tuple, mv.astype(np.float32).tolist()))
    theirs = set(map(tuple, vv.astype(np.float32).tolist()))
    report = {
        "input": a.input, "iso": iso, "iso_how": how,
        "vtk": {"vertices": len(vv), "triangles": len(vf)},
        "meshpipe": {"vertices": len(mv), "triangles": len(mf), "surfaceArea": res["surfaceArea"]},
        "vertices_only_in_meshpipe": len(ours - theirs),
        "vertices_only_in_vtk": len(theirs - ours),
        "vtk_area": float(peers.tri_areas(vv, vf).sum()),
    }
    print(json.dumps(report, indent=2))
    same = report["vertices_only_in_meshpipe"] == 0 and report["vertices_only_in_vtk"] == 0 \
        and len(vv) == len(mv) and len(vf) == len(mf)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
