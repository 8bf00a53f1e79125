#!/usr/bin/env python3
"""Writes the small Gmsh .msh 4.1 test meshes of tests/unit/mesh (no gmsh needed).

Run from anywhere: python3 tests/data/make_msh.py. The generated files are committed.

two_blocks_ascii.msh / two_blocks_binary.msh: the same mesh, coordinates in millimetres.
  A 2 x 2 x 1 grid of hex8 cells on [0, 2] x [0, 2] x [-1, 0] mm. Cells with x < 1 form the
  physical volume "fat" (tag 1), cells with x > 1 "gluteus_medius_right" (tag 2). The top face
  z = 0 (4 quads, written with inward orientation on purpose) is the physical surface "skin"
  (tag 3); node (0, 0, 0) is the physical point "anchor" (tag 4); the edge x = 0, y = 0 is the
  physical curve "edge" (tag 5). Nodes are split over several entity blocks, with sparse tags.
tet_cube.msh: the unit cube (mm) split into 6 tets, physical volume "block", physical surface
  "bottom" (the 2 triangles at z = 0).
bad_*.msh: malformed files, each with one problem (see BAD below).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- two_blocks: nodes --------------------------------------------------------------------
# Node (i, j, k) for i, j in 0..2, k in 0..1 (z = -1 + k); tag = 100 + i + 3 j + 9 k (sparse).
def tag(i, j, k):
    return 100 + i + 3 * j + 9 * k

NODES = {tag(i, j, k): (float(i), float(j), float(k - 1)) for k in range(2) for j in range(3) for i in range(3)}

def hex_nodes(i, j):
    return [tag(i, j, 0), tag(i + 1, j, 0), tag(i + 1, j + 1, 0), tag(i, j + 1, 0),
            tag(i, j, 1), tag(i + 1, j, 1), tag(i + 1, j + 1, 1), tag(i, j + 1, 1)]

# Elements: (dim, entity, type, [(elem_tag, [node tags])])
TOP_QUADS = [(i, j) for j in range(2) for i in range(2)]
BLOCKS = [
    (0, 1, 15, [(1, [tag(0, 0, 1)])]),
    (1, 1, 1, [(2, [tag(0, 0, 0), tag(0, 0, 1)])]),
    # top quads, listed clockwise seen from above (inward): the reader must orient them outward
    (2, 1, 3, [(10 + n, [tag(i, j, 1), tag(i, j + 1, 1), tag(i + 1, j + 1, 1), tag(i + 1, j, 1)])
               for n, (i, j) in enumerate(TOP_QUADS)]),
    (3, 1, 5, [(20, hex_nodes(0, 0)), (21, hex_nodes(0, 1))]),
    (3, 2, 5, [(22, hex_nodes(1, 0)), (23, hex_nodes(1, 1))]),
]
# Node blocks: (dim, entity, [tags]) -- point, then the rest on the two volumes.
all_tags = sorted(NODES)
NODE_BLOCKS = [
    (0, 1, [tag(0, 0, 1)]),
    (3, 1, [t for t in all_tags if t != tag(0, 0, 1) and NODES[t][0] < 1.5]),
    (3, 2, [t for t in all_tags if NODES[t][0] >= 1.5]),
]
PHYSICAL_NAMES = [(0, 4, "anchor"), (1, 5, "edge"), (2, 3, "skin"), (3, 1, "fat"), (3, 2, "gluteus_medius_right")]
# Entities: points (tag, xyz, phys), curves/surfaces/volumes (tag, bbox, phys, bounding)
ENTITIES = {
    0: [(1, (0.0, 0.0, 0.0), [4])],
    1: [(1, (0.0, 0.0, -1.0, 0.0, 0.0, 0.0), [5], [])],
    2: [(1, (0.0, 0.0, 0.0, 2.0, 2.0, 0.0), [3], [])],
    3: [(1, (0.0, 0.0, -1.0, 1.0, 2.0, 0.0), [1], [1]), (2, (1.0, 0.0, -1.0, 2.0, 2.0, 0.0), [2], [1])],
}


def ascii_msh(nodes, node_blocks, blocks, names, entities, comments=True):
    out = ["$MeshFormat", "4.1 0 8", "$EndMeshFormat"]
    if comments:
        out += ["$Comments", "written by tests/data/make_msh.py; $Nodes inside a comment is skipped", "$EndComments"]
    out += ["$PhysicalNames", str(len(names))]
    out += [f'{d} {t} "{n}"' for d, t, n in names]
    out += ["$EndPhysicalNames", "$Entities", " ".join(str(len(entities.get(d, []))) for d in range(4))]
    for d in range(4):
        for ent in entities.get(d, []):
            if d == 0:
                t, xyz, phys = ent
                out.append(" ".join([str(t)] + [repr(v) for v in xyz] + [str(len(phys))] + [str(p) for p in phys]))
            else:
                t, box, phys, bnd = ent
                out.append(" ".join([str(t)] + [repr(v) for v in box] + [str(len(phys))] + [str(p) for p in phys]
                                    + [str(len(bnd))] + [str(b) for b in bnd]))
    out.append("$EndEntities")
    tags = sorted(nodes)
    out += ["$Nodes", f"{len(node_blocks)} {len(nodes)} {tags[0]} {tags[-1]}"]
    for d, e, ts in node_blocks:
        out.append(f"{d} {e} 0 {len(ts)}")
        out += [str(t) for t in ts]
        out += [" ".join(repr(v) for v in nodes[t]) for t in ts]
    out.append("$EndNodes")
    n_el = sum(len(b[3]) for b in blocks)
    etags = [et for b in blocks for et, _ in b[3]]
    out += ["$Elements", f"{len(blocks)} {n_el} {min(etags)} {max(etags)}"]
    for d, e, typ, els in blocks:
        out.append(f"{d} {e} {typ} {len(els)}")
        out += [" ".join(str(v) for v in [et] + ns) for et, ns in els]
    out.append("$EndElements")
    return "\n".join(out) + "\n"


def binary_msh(nodes, node_blocks, blocks, names, entities):
    b = bytearray()
    b += b"$MeshFormat\n4.1 1 8\n" + struct.pack("<i", 1) + b"\n$EndMeshFormat\n"
    b += b"$PhysicalNames\n" + f"{len(names)}\n".encode()
    b += "".join(f'{d} {t} "{n}"\n' for d, t, n in names).encode() + b"$EndPhysicalNames\n"
    b += b"$Entities\n" + struct.pack("<4Q", *[len(entities.get(d, [])) for d in range(4)])
    for d in range(4):
        for ent in entities.get(d, []):
            if d == 0:
                t, xyz, phys = ent
                b += struct.pack("<i3dQ", t, *xyz, len(phys)) + struct.pack(f"<{len(phys)}i", *phys)
            else:
                t, box, phys, bnd = ent
                b += struct.pack("<i6dQ", t, *box, len(phys)) + struct.pack(f"<{len(phys)}i", *phys)
                b += struct.pack("<Q", len(bnd)) + struct.pack(f"<{len(bnd)}i", *bnd)
    b += b"\n$EndEntities\n"
    tags = sorted(nodes)
    b += b"$Nodes\n" + struct.pack("<4Q", len(node_blocks), len(nodes), tags[0], tags[-1])
    for d, e, ts in node_blocks:
        b += struct.pack("<3iQ", d, e, 0, len(ts)) + struct.pack(f"<{len(ts)}Q", *ts)
        for t in ts:
            b += struct.pack("<3d", *nodes[t])
    b += b"\n$EndNodes\n"
    n_el = sum(len(bl[3]) for bl in blocks)
    etags = [et for bl in blocks for et, _ in bl[3]]
    b += b"$Elements\n" + struct.pack("<4Q", len(blocks), n_el, min(etags), max(etags))
    for d, e, typ, els in blocks:
        b += struct.pack("<3iQ", d, e, typ, len(els))
        for et, ns in els:
            b += struct.pack(f"<{1 + len(ns)}Q", et, *ns)
    b += b"\n$EndElements\n"
    return bytes(b)


# ---- tet cube ------------------------------------------------------------------------------
CUBE = {1 + i + 2 * j + 4 * k: (float(i), float(j), float(k)) for k in range(2) for j in range(2) for i in range(2)}

def cid(i, j, k):
    return 1 + i + 2 * j + 4 * k

def kuhn_tets():
    tets = []
    for p in [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]:
        b = [0, 0, 0]
        t = [cid(0, 0, 0)]
        for a in p:
            b[a] = 1
            t.append(cid(*b))
        odd = p in [(0, 2, 1), (1, 0, 2), (2, 1, 0)]
        if odd:
            t[1], t[2] = t[2], t[1]
        tets.append(t)
    return tets

TET_BLOCKS = [
    (2, 1, 2, [(1, [cid(0, 0, 0), cid(1, 0, 0), cid(1, 1, 0)]), (2, [cid(0, 0, 0), cid(1, 1, 0), cid(0, 1, 0)])]),
    (3, 1, 4, [(10 + n, t) for n, t in enumerate(kuhn_tets())]),
]
TET_ENTITIES = {2: [(1, (0.0, 0.0, 0.0, 1.0, 1.0, 0.0), [2], [])], 3: [(1, (0.0, 0.0, 0.0, 1.0, 1.0, 1.0), [1], [1])]}
TET_NAMES = [(2, 2, "bottom"), (3, 1, "block")]


def main():
    def write(name, data):
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(HERE, name), mode) as f:
            f.write(data)

    good = ascii_msh(NODES, NODE_BLOCKS, BLOCKS, PHYSICAL_NAMES, ENTITIES)
    write("two_blocks_ascii.msh", good)
    write("two_blocks_binary.msh", binary_msh(NODES, NODE_BLOCKS, BLOCKS, PHYSICAL_NAMES, ENTITIES))
    write("tet_cube.msh", ascii_msh(CUBE, [(3, 1, sorted(CUBE))], TET_BLOCKS, TET_NAMES, TET_ENTITIES, False))

    plain = ascii_msh(NODES, NODE_BLOCKS, BLOCKS, PHYSICAL_NAMES, ENTITIES, comments=False)
    lines = plain.split("\n")

    def replace_line(src, old, new):
        ls = src.split("\n")
        i = ls.index(old)
        ls[i] = new
        return "\n".join(ls), i + 1

    bad = {}
    # Unsupported version (line 2).
    bad["bad_version.msh"] = plain.replace("4.1 0 8", "2.2 0 8", 1)
    # Malformed coordinate: the first coordinate line of the first node block.
    coord = " ".join(repr(v) for v in NODES[tag(0, 0, 1)])
    text, bad_line = replace_line(plain, coord, "0.0 0.0 0.0x")
    bad["bad_number.msh"] = text
    # Unsupported element type 11 (tet10) in the header of the first hex block.
    text, _ = replace_line(plain, "3 1 5 2", "3 1 11 2")
    bad["bad_element_type.msh"] = text
    # Unknown element type 99.
    text, _ = replace_line(plain, "3 2 5 2", "3 2 99 2")
    bad["bad_unknown_type.msh"] = text
    # Truncated inside $Nodes (file ends after the node tags of the second block).
    n2 = len(NODE_BLOCKS[1][2])
    cut = lines.index(f"3 1 0 {n2}") + 1 + n2
    bad["bad_truncated.msh"] = "\n".join(lines[:cut]) + "\n"
    # A volume with no physical group: drop physical tag of volume 2.
    text, _ = replace_line(plain, "2 1.0 0.0 -1.0 2.0 2.0 0.0 1 2 1 1", "2 1.0 0.0 -1.0 2.0 2.0 0.0 0 1 1")
    bad["bad_no_physical.msh"] = text
    # Mixed hex8 + tet4: add a tet block (volume entity 2) after the hex blocks.
    mixed = plain.replace("$Elements\n5 10 1 23", "$Elements\n6 11 1 30")
    mixed = mixed.replace("$EndElements", f"3 2 4 1\n30 {tag(0,0,0)} {tag(1,0,0)} {tag(0,1,0)} {tag(0,0,1)}\n$EndElements")
    bad["bad_mixed.msh"] = mixed
    # Binary file truncated in the middle of $Elements.
    binary = binary_msh(NODES, NODE_BLOCKS, BLOCKS, PHYSICAL_NAMES, ENTITIES)
    bad["bad_truncated_binary.msh"] = binary[: len(binary) - 60]
    assert "6 11 1 30" in mixed
    for name, data in bad.items():
        write(name, data)
    print(f"bad_number.msh: malformed number on line {bad_line}")
    for name in ["bad_element_type.msh", "bad_unknown_type.msh", "bad_mixed.msh"]:
        ls = bad[name].split("\n")
        for i, l in enumerate(ls):
            if l.startswith("3 1 11") or l.startswith("3 2 99") or l.startswith("3 2 4 1"):
                print(f"{name}: line {i + 1}")
    print(f"bad_truncated.msh: {len(bad['bad_truncated.msh'].splitlines())} lines")


if __name__ == "__main__":
    main()
