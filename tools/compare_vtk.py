#!/usr/bin/python3
"""Compare meshpipe's marching cubes with VTK's vtkMarchingCubes on one volume, vertex by vertex.

Usage (Debian's /usr/bin/python3 with python3-vtk9, python3-nibabel and python3-skimage; nothing else):
  tools/compare_vtk.py /usr/share/mricron/templates/ch2.nii.gz --iso otsu
  tools/compare_vtk.py sphere:128:50 --iso 0

It runs `./meshpipe mesh INPUT --space grid --borders open --formats ply` (VTK's convention:
vertices at index times spacing, no orientation), runs vtkMarchingCubes on the same grid (loaded
by nibabel, or the same signed-distance sphere), and prints the counts and the differences.
Exit status 1 when vertices or counts differ.
"""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

import vtk
from vtk.util import numpy_support as ns

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_volume(spec):
    """A NIfTI file as float32 with its voxel spacing (origin and rotation ignored), or sphere:N[:R],
    the N^3 grid of |x - c| - R with c = (N-1)/2 (so no sample is exactly 0), as meshpipe makes it."""
    if spec.startswith("sphere:"):
        parts = spec.split(":")
        n = int(parts[1])
        r = float(parts[2]) if len(parts) > 2 else 0.4 * n
        ax = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
        d2 = ax[:, None, None] ** 2 + ax[None, :, None] ** 2
        vol = np.empty((n, n, n), dtype=np.float32)
        for k in range(n):  # slab by slab, to bound the float64 temporaries
            vol[:, :, k] = (np.sqrt(d2[:, :, 0] + ax[k] ** 2) - r).astype(np.float32)
        return vol, (1.0, 1.0, 1.0)
    import nibabel as nib
    img = nib.load(spec)
    vol = img.get_fdata(dtype=np.float32)
    if vol.ndim == 4 and vol.shape[3] == 1:
        vol = vol[..., 0]
    return vol, tuple(float(z) for z in img.header.get_zooms()[:3])


def pick_iso(vol, iso):
    if iso == "otsu":
        from skimage.filters import threshold_otsu
        return float(threshold_otsu(vol)), "Otsu (skimage.filters.threshold_otsu, all voxels)"
    return float(iso), "given"


def vtk_marching_cubes(vol, spacing, iso):
    """vtkMarchingCubes on the grid (i fastest, as VTK stores it): vertices and triangles."""
    vol_f = np.asfortranarray(vol, dtype=np.float32)
    arr = ns.numpy_to_vtk(vol_f.ravel(order="F"), deep=1, array_type=vtk.VTK_FLOAT)
    img = vtk.vtkImageData()
    img.SetDimensions(*vol_f.shape)
    img.SetSpacing(*spacing)
    img.SetOrigin(0, 0, 0)
    img.GetPointData().SetScalars(arr)
    mc = vtk.vtkMarchingCubes()
    mc.SetInputData(img)
    mc.SetValue(0, iso)
    mc.SetComputeNormals(0)
    mc.SetComputeGradients(0)
    mc.SetComputeScalars(0)
    mc.Update()
    pd = mc.GetOutput()
    if pd.GetNumberOfPoints() == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    pts = ns.vtk_to_numpy(pd.GetPoints().GetData()).astype(np.float64)
    con = ns.vtk_to_numpy(pd.GetPolys().GetConnectivityArray())
    return pts, con.reshape(-1, 3).astype(np.int64)


def tri_areas(v, f):
    a, b, c = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


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
    vol, spacing = load_volume(a.input)
    iso, how = pick_iso(vol, a.iso)
    vv, vf = vtk_marching_cubes(vol, spacing, iso)
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
        "vtk_area": float(tri_areas(vv, vf).sum()),
    }
    print(json.dumps(report, indent=2))
    same = report["vertices_only_in_meshpipe"] == 0 and report["vertices_only_in_vtk"] == 0 \
        and len(vv) == len(mv) and len(vf) == len(mf)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
