#!/usr/bin/python3
"""Writes DICOM test series from a mricron template, so the DICOM tests' data can be remade.

Usage: /usr/bin/python3 tools/make_dicom_series.py OUTDIR [--source FILE.nii.gz] [--step N]

Writes one folder per case under OUTDIR (some also as a ZIP) and OUTDIR/manifest.json, one entry
per case: {"name", "input" (a folder or .zip), "series" (or null), "reference" (the folder dcm2niix
converts for the peer comparison, or null), "expect" ("volume" or an error code)}. Needs
python3-pydicom, python3-nibabel and numpy (Debian packages).
"""
import argparse
import json
import math
import os
import random
import zipfile

import nibabel
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         DeflatedExplicitVRLittleEndian, RLELossless, generate_uid)

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
ENHANCED_CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2.1"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"


def unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def rotation(axis, degrees):
    a = unit(axis)
    t = math.radians(degrees)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + math.sin(t) * k + (1 - math.cos(t)) * k @ k


def ds_str(v):
    # DS holds at most 16 characters; 10 significant digits keep positions exact enough
    return [float("%.10g" % x) for x in v]


def write_series(folder, stack, *, row_dir, col_dir, pixel_spacing, slice_gap, origin, series_number=1,
                 description="test", modality="MR", signed=False, slope=None, intercept=None,
                 syntax=ExplicitVRLittleEndian, order=None, positions=None, names=None, extra_files=()):
    """stack[k][row][col]: one slice per k, written along the normal row_dir x col_dir (LPS)."""
    os.makedirs(folder, exist_ok=True)
    r, c = unit(row_dir), unit(col_dir)
    n = np.cross(r, c)
    series_uid, study_uid, frame_uid = generate_uid(), generate_uid(), generate_uid()
    count = stack.shape[0]
    order = list(range(count)) if order is None else order
    for file_index, k in enumerate(order):
        pos = np.asarray(origin, dtype=float) + (k * slice_gap if positions is None else positions[k]) * n
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE if modality == "CT" else MR_IMAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ImplicitVRLittleEndian if syntax == ImplicitVRLittleEndian else (
            ExplicitVRLittleEndian if syntax == RLELossless else syntax)
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.FrameOfReferenceUID = frame_uid
        ds.PatientName = "Test^Phantom"
        ds.PatientID = "meshpipe"
        ds.StudyDate = "20260101"
        ds.StudyTime = "120000"
        ds.SeriesTime = "120000"
        ds.AcquisitionTime = "120000"
        ds.Modality = modality
        ds.SeriesNumber = series_number
        ds.SeriesDescription = description
        ds.InstanceNumber = k + 1
        ds.AcquisitionNumber = 1
        ds.ImagePositionPatient = ds_str(pos)
        ds.ImageOrientationPatient = ds_str(list(r) + list(c))
        ds.PixelSpacing = ds_str(pixel_spacing)
        ds.SliceThickness = 99  # deliberately wrong: spacing must come from the positions
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = stack.shape[1], stack.shape[2]
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 1 if signed else 0
        if slope is not None:
            ds.RescaleSlope = slope
            ds.RescaleIntercept = intercept
            ds.RescaleType = "HU" if modality == "CT" else "US"
        arr = np.ascontiguousarray(stack[k].astype(np.int16 if signed else np.uint16))
        ds.is_little_endian = syntax != ExplicitVRBigEndian
        ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
        if syntax == ExplicitVRBigEndian:
            ds.PixelData = arr.astype(arr.dtype.newbyteorder(">")).tobytes()
        else:
            ds.PixelData = arr.tobytes()
        ds["PixelData"].VR = "OW"
        if syntax == RLELossless:
            ds.compress(RLELossless, arr)
        name = names[file_index] if names else "IM%05d.dcm" % (file_index + 1)
        ds.save_as(os.path.join(folder, name), write_like_original=False)
    for fname, content in extra_files:
        with open(os.path.join(folder, fname), "wb") as f:
            f.write(content)


def write_enhanced(path, stack, *, row_dir, col_dir, pixel_spacing, slice_gap, origin, slopes=None, intercepts=None,
                   positions=None, order=None, functional_groups=True, syntax=ExplicitVRLittleEndian):
    """One enhanced CT file holding stack[k] as frames (in `order`), placed by per-frame functional groups.

    Physical values are stack[k]; frame k is stored as (stack[k] - intercepts[k]) / slopes[k], with its own
    PixelValueTransformationSequence. Without functional_groups the frames carry no per-frame geometry
    (a legacy multi-frame image that cannot be placed)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    r, c = unit(row_dir), unit(col_dir)
    n = np.cross(r, c)
    count = stack.shape[0]
    order = list(range(count)) if order is None else order
    slopes = [1] * count if slopes is None else slopes
    intercepts = [0] * count if intercepts is None else intercepts
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ENHANCED_CT_IMAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = ENHANCED_CT_IMAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = generate_uid(), generate_uid(), generate_uid()
    ds.PatientName = "Test^Phantom"
    ds.PatientID = "meshpipe"
    ds.StudyDate, ds.StudyTime, ds.SeriesTime, ds.AcquisitionDateTime = "20260101", "120000", "120000", "20260101120000"
    ds.Modality = "CT"
    ds.SeriesNumber = 1
    ds.SeriesDescription = "enhanced"
    ds.InstanceNumber = 1
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL", "NONE"]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.NumberOfFrames = count
    ds.Rows, ds.Columns = stack.shape[1], stack.shape[2]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    if functional_groups:
        measures = Dataset()
        measures.PixelSpacing = ds_str(pixel_spacing)
        measures.SliceThickness = 99  # deliberately wrong: spacing must come from the positions
        plane = Dataset()
        plane.ImageOrientationPatient = ds_str(list(r) + list(c))
        shared = Dataset()
        shared.PixelMeasuresSequence = [measures]
        shared.PlaneOrientationSequence = [plane]
        ds.SharedFunctionalGroupsSequence = [shared]
        dim = Dataset()
        dim.DimensionIndexPointer = 0x00209057  # InStackPositionNumber
        dim.FunctionalGroupPointer = 0x00209111  # FrameContentSequence
        ds.DimensionIndexSequence = [dim]
        frames = []
        for k in order:
            pos = Dataset()
            pos.ImagePositionPatient = ds_str(np.asarray(origin, dtype=float) + (k * slice_gap if positions is None else positions[k]) * n)
            content = Dataset()
            content.StackID = "1"
            content.InStackPositionNumber = k + 1
            content.DimensionIndexValues = [k + 1]
            rescale = Dataset()
            rescale.RescaleSlope = slopes[k]
            rescale.RescaleIntercept = intercepts[k]
            rescale.RescaleType = "HU"
            item = Dataset()
            item.PlanePositionSequence = [pos]
            item.FrameContentSequence = [content]
            item.PixelValueTransformationSequence = [rescale]
            frames.append(item)
        ds.PerFrameFunctionalGroupsSequence = frames
    stored = np.stack([np.rint((stack[k] - intercepts[k]) / slopes[k]) for k in order]).astype(np.int16)
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.PixelData = np.ascontiguousarray(stored).tobytes()
    ds["PixelData"].VR = "OW"
    ds.save_as(path, write_like_original=False)


def zip_folders(path, folders):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for folder in folders:
            for root, _, files in os.walk(folder):
                for f in sorted(files):
                    full = os.path.join(root, f)
                    z.write(full, os.path.relpath(full, os.path.dirname(folder)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--source", default="/usr/share/mricron/templates/ch2bet.nii.gz")
    ap.add_argument("--step", type=int, default=3, help="keep every Nth voxel, so tests stay small")
    a = ap.parse_args()
    random.seed(16)
    vol = np.asarray(nibabel.load(a.source).dataobj)[::a.step, ::a.step, ::a.step].astype(np.int32)
    out = a.out
    os.makedirs(out, exist_ok=True)
    cases = []

    def case(name, inp, expect="volume", series=None, reference=None):
        cases.append({"name": name, "input": inp, "series": series, "expect": expect,
                      "reference": reference if reference is not None else (inp if expect == "volume" and not inp.endswith(".zip") else None)})

    axial = np.transpose(vol, (2, 1, 0))        # [z][y][x]
    sagittal = np.transpose(vol, (0, 2, 1))[:, ::-1, :]  # [x][z down][y]
    coronal = np.transpose(vol, (1, 2, 0))[:, ::-1, :]   # [y][z down][x]
    common = dict(pixel_spacing=(1.1, 0.9), slice_gap=1.3, origin=(-80.25, -110.5, -70.125))

    def series(name, stack, **kw):
        args = dict(common)
        args.update(kw)
        write_series(os.path.join(out, name), stack, **args)
        return os.path.join(out, name)

    case("axial-uint16", series("axial-uint16", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0)))
    case("sagittal-int16-implicit", series("sagittal-int16-implicit", sagittal - 40, row_dir=(0, 1, 0), col_dir=(0, 0, -1),
                                           signed=True, syntax=ImplicitVRLittleEndian))
    case("coronal-ct-rescale", series("coronal-ct-rescale", coronal * 4, row_dir=(1, 0, 0), col_dir=(0, 0, -1), modality="CT",
                                      slope=0.5, intercept=-1024))
    rot = rotation((1, 0.4, 0.2), 23)
    case("oblique", series("oblique", axial, row_dir=rot @ [1, 0, 0], col_dir=rot @ [0, 1, 0], pixel_spacing=(0.8, 0.8)))
    n = axial.shape[0]
    case("reversed-order", series("reversed-order", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0), order=list(range(n))[::-1]))
    shuffled = list(range(n))
    random.shuffle(shuffled)
    case("shuffled-files", series("shuffled-files", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0), order=shuffled,
                                  names=["%08x" % random.getrandbits(32) for _ in range(n)]))
    # Encodings that this dcm2niix may not read: compared against the same series written explicit LE.
    case("explicit-big-endian", series("explicit-big-endian", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0),
                                       syntax=ExplicitVRBigEndian), reference=os.path.join(out, "axial-uint16"))
    case("deflated", series("deflated", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0), syntax=DeflatedExplicitVRLittleEndian),
         reference=os.path.join(out, "axial-uint16"))
    case("rle", series("rle", axial - 40, row_dir=(1, 0, 0), col_dir=(0, 1, 0), signed=True, syntax=RLELossless),
         reference=os.path.join(out, "rle-reference"))
    series("rle-reference", axial - 40, row_dir=(1, 0, 0), col_dir=(0, 1, 0), signed=True)

    # Enhanced (multi-frame) CT: one file, frames placed by their functional groups. Judged by dcm2niix's
    # NIfTI of the same file, and (with a rescale that changes from frame to frame, which a NIfTI cannot
    # hold) by the same values written as a classic series.
    enhanced = os.path.join(out, "enhanced-ct", "enhanced.dcm")
    write_enhanced(enhanced, axial - 40, row_dir=(1, 0, 0), col_dir=(0, 1, 0), slopes=[0.5] * n, intercepts=[-1024] * n,
                   order=list(range(n))[::-1], **common)
    case("enhanced-ct", os.path.dirname(enhanced))
    rescaled = os.path.join(out, "enhanced-per-frame-rescale.dcm")
    write_enhanced(rescaled, axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0), slopes=[1 if k % 2 else 0.5 for k in range(n)],
                   intercepts=[0 if k % 2 else -1024 for k in range(n)], **common)
    case("enhanced-per-frame-rescale", rescaled, reference=os.path.join(out, "axial-uint16"))
    oblique = os.path.join(out, "enhanced-oblique", "enhanced.dcm")
    write_enhanced(oblique, axial, row_dir=rot @ [1, 0, 0], col_dir=rot @ [0, 1, 0], **dict(common, pixel_spacing=(0.8, 0.8)))
    case("enhanced-oblique", os.path.dirname(oblique), reference=os.path.join(out, "oblique"))
    write_enhanced(os.path.join(out, "enhanced-irregular.dcm"), axial[:12], row_dir=(1, 0, 0), col_dir=(0, 1, 0),
                   positions=[k * 1.3 + (0.4 if k == 5 else 0) for k in range(12)], **common)
    case("enhanced-irregular", os.path.join(out, "enhanced-irregular.dcm"), expect="IRREGULAR_SLICE_SPACING")
    write_enhanced(os.path.join(out, "enhanced-legacy.dcm"), axial[:12], row_dir=(1, 0, 0), col_dir=(0, 1, 0),
                   functional_groups=False, **common)
    case("enhanced-no-groups", os.path.join(out, "enhanced-legacy.dcm"), expect="UNSUPPORTED_MULTIFRAME")

    # Two series in one ZIP, with a non-DICOM file and a DICOMDIR-like stray: ambiguous unless named.
    s1 = series("zip-a", axial, row_dir=(1, 0, 0), col_dir=(0, 1, 0), series_number=3, description="axial",
                extra_files=[("README.txt", b"not a DICOM file\n")])
    s2 = series("zip-b", coronal, row_dir=(1, 0, 0), col_dir=(0, 0, -1), series_number=7, description="coronal")
    zip_folders(os.path.join(out, "two-series.zip"), [s1, s2])
    case("two-series-unnamed", os.path.join(out, "two-series.zip"), expect="AMBIGUOUS_SERIES")
    case("two-series-number-7", os.path.join(out, "two-series.zip"), series="7", reference=s2)
    zip_folders(os.path.join(out, "one-series.zip"), [s1])
    case("one-series-zip", os.path.join(out, "one-series.zip"), reference=s1)

    # Refusals: each has its own code.
    small = axial[:12]
    gaps = [k * 1.3 for k in range(12)]
    case("irregular-spacing", series("irregular-spacing", small, row_dir=(1, 0, 0), col_dir=(0, 1, 0),
                                     positions=[g + (0.4 if k == 5 else 0) for k, g in enumerate(gaps)]), expect="IRREGULAR_SLICE_SPACING")
    case("missing-slice", series("missing-slice", small, row_dir=(1, 0, 0), col_dir=(0, 1, 0),
                                 positions=[g + (1.3 if k >= 6 else 0) for k, g in enumerate(gaps)]), expect="MISSING_SLICES")
    tilt = os.path.join(out, "gantry-tilt")
    write_series(tilt, small, row_dir=(1, 0, 0), col_dir=(0, 1, 0), pixel_spacing=(1, 1), slice_gap=1.3, origin=(0, 0, 0))
    for f in os.listdir(tilt):  # shear the stack along y: positions no longer on the normal
        ds = pydicom.dcmread(os.path.join(tilt, f))
        p = [float(x) for x in ds.ImagePositionPatient]
        p[1] += p[2] * math.tan(math.radians(12))
        ds.ImagePositionPatient = ds_str(p)
        ds.save_as(os.path.join(tilt, f))
    case("gantry-tilt", tilt, expect="GANTRY_TILT")
    single = os.path.join(out, "single-slice")
    write_series(single, axial[:1], row_dir=(1, 0, 0), col_dir=(0, 1, 0), **common)
    case("single-slice", single, expect="NOT_A_VOLUME")
    case("not-dicom", os.path.join(out, "not-dicom"), expect="NO_IMAGE_SERIES")
    os.makedirs(os.path.join(out, "not-dicom"), exist_ok=True)
    with open(os.path.join(out, "not-dicom", "notes.txt"), "w") as f:
        f.write("nothing here\n")

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(cases, f, indent=1)
    print("wrote %d cases to %s" % (len(cases), out))


if __name__ == "__main__":
    main()
