"""A set of points of a finite case space, written as a few simple conditions.

The points where a change happens (*on*) are covered by *cubes*: per input, a
set of its classes (a range, for dates and numbers). Each cube grows from a
point not yet covered, one input at a time, as far as it can without taking in
a point where the change does not happen (*off*); points no version accepts
may be taken in or not (*don't care*). Sets of points are Python integers used
as bit sets, so testing a cube against thousands of points is a handful of
integer operations.
"""

from __future__ import annotations

from typing import Sequence

from carag_dsl.tools.diff.domains import Variable

Cube = tuple[frozenset[int], ...]


def _masks(points: Sequence[tuple[int, ...]], chosen: Sequence[int], sizes: Sequence[int]) -> list[list[int]]:
    """masks[v][i]: the bit set of the chosen points whose input v is in class i."""
    masks = [[0] * size for size in sizes]
    for position, point_index in enumerate(chosen):
        bit = 1 << position
        for v, i in enumerate(points[point_index]):
            masks[v][i] |= bit
    return masks


def _inside(masks: list[list[int]], cube: Cube, everything: int) -> int:
    found = everything
    for v, allowed in enumerate(cube):
        union = 0
        for i in allowed:
            union |= masks[v][i]
        found &= union
        if not found:
            return 0
    return found


def cover(variables: Sequence[Variable], points: Sequence[tuple[int, ...]], on: Sequence[int], off: Sequence[int]) -> list[Cube]:
    """Cubes that together hold every on-point and no off-point (points are class indices per variable)."""
    sizes = [v.size for v in variables]
    on_masks, off_masks = _masks(points, on, sizes), _masks(points, off, sizes)
    all_on, all_off = (1 << len(on)) - 1, (1 << len(off)) - 1
    uncovered = all_on
    cubes: list[Cube] = []
    # Wide inputs first: a cube that frees a date or an option list says the most in the fewest words.
    order = sorted(range(len(variables)), key=lambda v: -sizes[v])
    while uncovered:
        seed = points[on[(uncovered & -uncovered).bit_length() - 1]]
        cube: list[frozenset[int]] = [frozenset({i}) for i in seed]
        for v in order:
            cube[v] = _grow(variables[v], cube, v, off_masks, all_off)
        _trim(variables, cube, on_masks, all_on)
        frozen = tuple(cube)
        cubes.append(frozen)
        uncovered &= ~_inside(on_masks, frozen, all_on)
    return _drop_redundant(cubes, on_masks, all_on)


def _grow(variable: Variable, cube: list[frozenset[int]], v: int, off_masks, all_off: int) -> frozenset[int]:
    def clean(allowed: frozenset[int]) -> bool:
        trial = tuple(cube[:v]) + (allowed,) + tuple(cube[v + 1:])
        return _inside(off_masks, trial, all_off) == 0

    everything = frozenset(range(variable.size))
    if clean(everything):
        return everything
    allowed = set(cube[v])
    if variable.ordered:  # a range of known values: stretch it down, then up, while it stays clean
        (start,) = allowed
        low = high = start
        if start != 0:
            while low - 1 >= 1 and clean(frozenset(range(low - 1, high + 1))):
                low -= 1
            while high + 1 < variable.size and clean(frozenset(range(low, high + 2))):
                high += 1
            allowed = set(range(low, high + 1))
        candidates = [0] if 0 not in allowed else []
    else:
        candidates = [i for i in range(variable.size) if i not in allowed]
    for i in candidates:
        if clean(frozenset(allowed | {i})):
            allowed.add(i)
    return frozenset(allowed)


def _trim(variables: Sequence[Variable], cube: list[frozenset[int]], on_masks, all_on: int) -> None:
    """Leave out of a restricted input the classes that only took in don't-care points (they say nothing)."""
    held = _inside(on_masks, tuple(cube), all_on)
    for v, variable in enumerate(variables):
        if len(cube[v]) == variable.size:
            continue
        ends = (min(cube[v] - {0}, default=None), max(cube[v] - {0}, default=None)) if variable.ordered else None
        for i in sorted(cube[v]):
            if len(cube[v]) == 1 or (ends is not None and i != 0 and i not in ends):
                continue  # a range loses only its ends, so it stays a range
            trial = cube[v] - {i}
            if _inside(on_masks, tuple(cube[:v]) + (trial,) + tuple(cube[v + 1:]), all_on) == held:
                cube[v] = trial
                if ends is not None and i in ends:
                    ends = (min(trial - {0}, default=None), max(trial - {0}, default=None))


def _drop_redundant(cubes: list[Cube], on_masks, all_on: int) -> list[Cube]:
    """Leave out a cube whose on-points the others already hold."""
    covered = [_inside(on_masks, cube, all_on) for cube in cubes]
    kept = list(range(len(cubes)))
    for index in sorted(kept, key=lambda i: bin(covered[i]).count("1")):
        others = 0
        for j in kept:
            if j != index:
                others |= covered[j]
        if covered[index] & ~others == 0:
            kept.remove(index)
    return [cubes[i] for i in kept]


def describe(variables: Sequence[Variable], cube: Cube) -> str:
    """A cube in words: the inputs it restricts, joined with "and"."""
    parts = [text for v, allowed in zip(variables, cube) if (text := v.describe(sorted(allowed))) is not None]
    return " and ".join(parts) if parts else "in every case"


def describe_all(variables: Sequence[Variable], cubes: Sequence[Cube]) -> str:
    texts = [describe(variables, cube) for cube in cubes]
    if len(texts) == 1:
        return texts[0]
    return "either " + "; or ".join(texts)


def best_point(points: Sequence[tuple[int, ...]], on: Sequence[int], masks_cube: Cube) -> int:
    """Of the on-points in a cube, the one with the most inputs unknown (the simplest witness)."""
    inside = [p for p in on if all(i in allowed for i, allowed in zip(points[p], masks_cube))]
    return min(inside, key=lambda p: (-sum(1 for i in points[p] if i == 0), p))
