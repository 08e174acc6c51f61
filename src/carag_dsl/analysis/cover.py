"""A region as a short list of kinds of case: a minimal cover by cubes over the variables' classes.

A region of the case space is a BDD; its paths are many and overlap in ways people cannot read. A *cube*
fixes, for some variables, the classes a case may have ("sentence is licence or pss and [X 6] is yes");
a set of cubes whose union is the region is a *cover*, and read one cube per line it is unambiguous.
This is two-level minimisation over multi-valued variables, done as Espresso does it, with heuristics:

- from a case of the region not yet covered, a cube of that one case is *expanded*: each variable is
  dropped when the cube stays within the region, else its classes are raised one at a time while it stays;
- the cube joins the cover, and its cases are covered; until every case is;
- cubes that the others already cover are removed (*irredundant*), smallest first.

``care`` is what may be taken for granted: outside it a cube may reach anything (the cases no rule set
accepts, or, when the description is of fully known cases, the cases where a fact is missing).
"""

from __future__ import annotations

from typing import Any

#: Past this many kinds of case the cover stops: a description shows a handful anyway.
MAX_CUBES = 64

Cube = dict[int, frozenset[int]]  # variable index -> the classes the cube allows (a variable left out is free)


def minimal_cover(space: Any, node: Any, care: Any, variables: list, order: list[list[int]] | None = None) -> tuple[list[Cube], bool]:
    """(cubes whose union within ``care`` is ``node & care``, whether that is all of it).

    ``variables``: those the region depends on; ``order``: per variable, its classes in the order a seed case
    should take them (the first that the region allows; by default the classes' own order).
    """
    bdd = space.bdd
    region = node & care
    outside = care & ~region
    remaining = region
    cubes: list[Cube] = []
    while remaining != bdd.false:
        if len(cubes) >= MAX_CUBES:
            return _irredundant(space, cubes, care), False
        seed = _seed(space, remaining, variables, order)
        cube = _expand(space, seed, outside, variables)
        cubes.append(cube)
        remaining &= ~cube_node(space, cube)
    return _irredundant(space, cubes, care), True


def cube_node(space: Any, cube: Cube) -> Any:
    node = space.bdd.true
    for index, classes in cube.items():
        either = space.bdd.false
        for cls in classes:
            either |= space._class_bdds[index][cls]
        node &= either
    return node


def _seed(space: Any, remaining: Any, variables: list, order: list[list[int]] | None) -> Cube:
    """One case of ``remaining``, as a cube that fixes one class of each variable."""
    seed: Cube = {}
    for position, variable in enumerate(variables):
        classes = order[position] if order is not None else range(len(variable.classes))
        for cls in classes:
            narrowed = remaining & space._class_bdds[variable.index][cls]
            if narrowed != space.bdd.false:
                remaining = narrowed
                seed[variable.index] = frozenset({cls})
                break
    return seed


def _expand(space: Any, cube: Cube, outside: Any, variables: list) -> Cube:
    """The cube grown as far as it stays out of ``outside``: variables dropped first, then classes raised."""
    false = space.bdd.false

    def fits(candidate: Cube) -> bool:
        return (cube_node(space, candidate) & outside) == false

    for variable in variables:  # drop whole conditions first: they shorten a line most
        trial = {k: v for k, v in cube.items() if k != variable.index}
        if fits(trial):
            cube = trial
    for variable in variables:
        if variable.index not in cube:
            continue
        for cls in range(len(variable.classes)):
            if cls not in cube[variable.index]:
                trial = {**cube, variable.index: cube[variable.index] | {cls}}
                if fits(trial):
                    cube = trial
        if len(cube[variable.index]) == len(variable.classes):
            cube = {k: v for k, v in cube.items() if k != variable.index}
    return cube


def _irredundant(space: Any, cubes: list[Cube], care: Any) -> list[Cube]:
    """The cover less each cube (the narrowest first: most conditions, fewest classes) that the others cover within ``care``."""
    kept = list(cubes)
    for cube in sorted(cubes, key=lambda c: (-len(c), sum(map(len, c.values())))):
        others = [c for c in kept if c is not cube]
        union = space.bdd.false
        for other in others:
            union |= cube_node(space, other)
        if (cube_node(space, cube) & care & ~union) == space.bdd.false:
            kept = others
    return kept
