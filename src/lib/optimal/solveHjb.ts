import { buildGrid, type Grid } from "../pde/buildGrid.js";
import { ouOperatorRows } from "../pde/ouOperatorRows.js";
import { solveObstacle } from "../pde/solveObstacle.js";
import { extendByRecurrence } from "../pde/extendByRecurrence.js";
import { centralDerivative, cubicAt, interpolateOnto } from "../pde/nodalInterpolation.js";
import { findRootBrent } from "../util/findRootBrent.js";
import { checkOuStoppingParameters } from "./ouStoppingParameters.js";
import type { OuStoppingParameters } from "./ouStoppingParameters.js";
import { rangeError, requireFinite, requireInteger, requireOneOf, requireOptions, typeError } from "../util/validate.js";

/** Default number of nodes of the fine grid (the coarse grid of the Richardson pair has about half). */
const DEFAULT_POINTS = 1601;
/** Default half-width of the domain in stationary standard deviations σ/√(2κ) around θ. */
const DEFAULT_N_STD = 8;
/** Levels closer than this (in sd) to an artificial boundary trigger a wider domain. */
const BOUNDARY_MARGIN_SD = 2;
/** Maximum number of domain widenings. */
const MAX_DOMAIN_WIDENINGS = 12;
/** Largest |y|·h at a level (y in sd from θ, h the fine spacing): the solutions change by ≤ e^{0.05} per node. */
const MAX_STEP_SCALE = 0.1;
/** Cap on the fine grid size from that rule. */
const MAX_POINTS = 200_001;
/** Coarse-grid intervals wanted between the stop-loss L and the exit level b*_L (refined once if fewer). */
const MIN_STOP_LOSS_GAP_NODES = 16;
/** Nodes used to extend a continuation solution across its free boundary (recurrence). */
const EXTENSION_NODES = 6;

export type HjbScheme = "policy-iteration" | "psor";

export interface SolveHjbParameters extends OuStoppingParameters {
  /** Grid: `points` nodes of the fine grid (≥ 41; default 1601; raised automatically where levels are far from θ), domain θ ± nStd·σ/√(2κ) (default 8; top ≥ c + 4 sd without stop-loss), widened automatically to keep levels ≥ 2 sd inside. */
  grid?: { points?: number; nStd?: number };
  /** Solver of the discrete obstacle problems (default "policy-iteration"). */
  scheme?: HjbScheme;
  /** Richardson-extrapolate the levels from the h and 2h grids (default true). */
  extrapolate?: boolean;
}

export interface SolveHjbResult {
  /** Fine-grid nodes (spread units). */
  readonly x: Float64Array;
  /** Exit value V(x) (V_L with stop-loss) on x, after sub-grid smooth-fit reconstruction. */
  readonly exitValue: Float64Array;
  /** Entry value J(x) (J_L) on x. */
  readonly entryValue: Float64Array;
  /** Exit level b* (b*_L). */
  readonly exitLevel: number;
  /** Entry level d* (d*_L); null when the discrete entry region is empty. */
  readonly entryLevel: number | null;
  /** Lower end a*_L of the stop-loss entry interval; null without stop-loss. */
  readonly entryLowerLevel: number | null;
  /** |extrapolated − fine-grid| level difference: an a-posteriori error estimate (0 without extrapolation). */
  readonly levelErrorEstimate: number;
  /** Policy iterations (or PSOR sweeps) summed over all discrete obstacle problems solved. */
  readonly iterations: number;
  /** max_i |min(−h²(A_h V)_i, V_i − g_i)| of the fine-grid exit and entry problems (value units). */
  readonly residual: number;
  /** Grid spacing of the fine grid (spread units). */
  readonly gridSpacing: number;
  readonly warnings: string[];
}

interface Levels {
  exit: number;
  entry: number | null;
  entryLower: number | null;
  exitValue: Float64Array;
  entryValue: Float64Array;
  iterations: number;
  residual: number;
  y: Float64Array;
  upwinded: boolean;
  notConverged: boolean;
  /** An entry level fell back to a grid node: its smooth-fit point could not be bracketed. */
  entryUnresolved: boolean;
}

/**
 * Finite-difference solver of Leung & Li's optimal entry/exit problems written as variational
 * inequalities (the HJB equations of optimal stopping):
 *   exit:  max(𝓛V − rV, (x − c) − V) = 0,   entry: max(𝓛J − rJ, (V(x) − x − c) − J) = 0,
 *   𝓛 = κ(θ − x)∂ₓ + ½σ²∂ₓₓ,
 * with the stop-loss variant V_L = L − c at (and below) L.
 *
 * Discretisation: in y = (x − θ)/s, s = σ/√(2κ), the operator is κ(∂_yy − y∂_y − ν), ν = r/κ. A uniform
 * grid (the stop-loss L is a node) carries central differences, which are monotone (an M-matrix) when
 * |y|·h ≤ 2; beyond that the drift is upwinded (first order, reported in `warnings`). The discrete
 * obstacle problem min(−A_hV, V − g) = 0 is solved exactly by policy iteration (Howard; one Thomas
 * solve per iteration, finite termination) or by projected SOR (Cryer 1971). The numerics are the
 * PDE toolkit in src/lib/pde (buildGrid, ouOperatorRows, solveObstacle, extendByRecurrence,
 * nodalInterpolation); this file holds the optimal-stopping problem: obstacles, domain, resolution,
 * smooth fit and extrapolation.
 * Boundary conditions: where the domain edge lies in a stopping region (exit: top; entry without
 * stop-loss: bottom; stop-loss exit: x = L) V = g (Dirichlet), exact there. Where it lies in a
 * continuation region the solution is a multiple of the increasing (bottom) or decreasing (top) OU
 * solution, whose log-derivative from the ODE's asymptotics is ∂_y ln V = ±(ν/|y| − ν(ν+1)/|y|³) + O(|y|⁻⁵);
 * this Robin condition is imposed with a ghost node (second order). Any error there excites only the
 * other, exponentially growing solution, which is damped like e^{−(y_edge² − y²)/2} at the levels.
 * Domain: θ ± nStd·s (default 8), and without stop-loss at least up to c + 4s (b* > c always, so with
 * c ≫ s the exit level is far above θ); it widens in geometrically growing steps (4, 8, 16, … s) until
 * every level is ≥ 2 s from an artificial edge, in either direction (θ − c ≫ s puts b* far below θ).
 * Everything is solved in y = (x − θ)/s with the obstacles formed as (θ − c) + s·y and
 * V − (θ + c) − s·y, so a large θ never cancels node by node (the problem itself is not
 * translation-invariant: payoffs are absolute prices). A stop-loss exit level within a few nodes of L
 * triggers one refinement so that b*_L − L spans ≥ 16 coarse intervals; a b*_L at L (b* ≤ L) is
 * reported as exactly L. The resolution rule is re-checked against the fine-grid levels (the 41-node
 * estimate can be far off) and the pair re-solved once if it asked for too few nodes.
 * Out of reach (documented failure, RangeError, never silently wrong levels): levels so far from θ that
 * |y|·h ≤ 0.1 needs more than 200 001 nodes (about 100 s from θ; e.g. θ − c ≫ s, or |c − θ| > ~100 s),
 * and entry edges too flat to locate on the grid (the smooth-fit point cannot be bracketed): use leungLi.
 * Sub-grid levels: the discrete solution on the continuation side is extended across the free
 * boundary by its own three-term recurrence and the smooth-fit point (V/V′ = g/g′, scale-free; with
 * stop-loss the one-parameter family V + t·W, W(L) = 0) is located by cubic interpolation, which
 * makes the level error a smooth O(h²) expansion; Richardson extrapolation from h and 2h then gives
 * O(h⁴) (the refinement test measures both orders). The exit value is reconstructed with the refined
 * level before it is used as the entry obstacle.
 * @see [1] Leung, T. & Li, X. (2015) "Optimal mean reversion trading with transaction costs and
 *      stop-loss exit", Int. J. Theor. Appl. Finance 18(3).
 * @see [2] Forsyth, P.A. & Vetzal, K.R. (2002) "Quadratic convergence for valuing American options
 *      using a penalty method", SIAM J. Sci. Comput. 23(6) (policy iteration / monotone schemes);
 *      Bokanowski, Maroso & Zidani (2009) "Some convergence results for Howard's algorithm", SIAM J.
 *      Numer. Anal. 47(4); Cryer, C.W. (1971) "The solution of a quadratic programming problem using
 *      systematic overrelaxation", SIAM J. Control 9 (PSOR).
 * @throws RangeError for the parameter errors of leungLi, grid.points < 41, grid.nStd < 2, a grid step 2·nStd/(points − 1) wider than the level scale max(1/√(r/κ), |c − θ|/s) (κ → 0), an unknown scheme, or levels a uniform grid cannot resolve (see "Out of reach"; message names theta, c, c − theta in sds, and says to use leungLi)
 * @example solveHjb({ kappa: 8, theta: 0.5, sigma: 0.3, r: 0.05, c: 0.02 }).exitLevel // ≈ 0.6539871 (leungLi 0.65398712242…, fixtures/leungLi.json)
 */
export function solveHjb(params: SolveHjbParameters): SolveHjbResult {
  const fn = "solveHjb";
  const p = checkOuStoppingParameters(fn, params);
  const opts = requireOptions<SolveHjbParameters>(fn, params);
  const gridOpts = requireOptions<{ points?: number; nStd?: number }>(fn, opts.grid);
  const points = requireInteger(fn, "grid.points", gridOpts.points ?? DEFAULT_POINTS, { min: 41 });
  const nStd = requireFinite(fn, "grid.nStd", gridOpts.nStd ?? DEFAULT_N_STD, { min: 2 });
  const scheme = requireOneOf<HjbScheme>(fn, "scheme", opts.scheme ?? "policy-iteration", ["policy-iteration", "psor"]);
  const extrapolate = opts.extrapolate ?? true;
  if (typeof extrapolate !== "boolean") typeError(fn, `extrapolate must be a boolean, got ${typeof extrapolate}`);
  const { theta, c, nu, stationarySd: sd } = p;
  // With ν = r/κ large (κ → 0) the discount acts long before the reversion: the levels sit within
  // about max(1/√ν, |c − θ|/s) stationary sds of θ. A grid whose step 2·nStd/(points − 1) is wider
  // than half that cannot place them (κ = 1e−300 gave a NaN value function; at ν = 1000 and 200
  // points the levels came out 40 % off leungLi's): refuse, naming the fix.
  const levelScale = Math.max(1 / Math.sqrt(nu), Math.abs(c - theta) / sd);
  const gridStep = (2 * nStd) / (points - 1);
  if (!(gridStep <= levelScale / 2)) {
    const needed = Math.ceil((4 * nStd) / levelScale) + 1;
    rangeError(
      fn,
      `kappa = ${p.kappa} is too small for this grid: with r/kappa = ${nu.toPrecision(4)} the optimal levels lie within about ${levelScale.toPrecision(3)} stationary sds of theta, less than two grid steps 2·grid.nStd/(grid.points − 1) = ${gridStep.toPrecision(3)}; ` +
        (needed <= MAX_POINTS
          ? `use grid.points >= ${needed} or a smaller grid.nStd`
          : `no grid of up to ${MAX_POINTS} points resolves them`) +
        " (or leungLi)",
    );
  }
  const yL = p.stopLoss === null ? null : (p.stopLoss - theta) / sd;
  const warnings: string[] = [];
  /** The documented failure: levels a uniform grid cannot resolve (MAX_POINTS nodes, |y|·h ≤ MAX_STEP_SCALE). */
  const unresolvable = (detail: string): never =>
    rangeError(
      fn,
      `${detail}; a uniform grid resolving them needs more than ${MAX_POINTS} nodes (theta = ${theta}, c = ${c}, c − theta = ${((c - theta) / sd).toPrecision(3)} stationary sds of ${sd}` +
        `${p.stopLoss === null ? "" : `, stopLoss − theta = ${(yL as number).toPrecision(3)} sds`}): the optimal levels must lie within about 100 stationary sds of theta for the finite-difference solve (levels sit near c when c − theta ≫ sd, and about ν(theta − c)/(1 + ν) below theta when theta − c ≫ sd, ν = r/kappa); use leungLi for such parameters`,
    );

  let yMin = -nStd;
  // b* > c always (selling below the cost loses money for sure), so the top edge starts above c: with
  // c ≫ sd the exit level is (c − θ)/sd + O(sd/(c − θ)) sds above θ, far outside θ ± nStd·sd.
  // (With a stop-loss b*_L can lie far below c: the widening below finds it.)
  let yMax = yL === null ? Math.max(nStd, (c - theta) / sd + 2 * BOUNDARY_MARGIN_SD) : nStd;
  if (yL !== null) yMin = Math.min(yMin, yL - BOUNDARY_MARGIN_SD);
  // Nested iteration: solve on 41 points, widen the domain until the levels sit well inside it,
  // then double the resolution up to the coarse/fine pair, each solve warm-started from the previous
  // levels (policy iteration then needs a handful of iterations instead of one per node moved).
  let basePoints = 41;
  let totalIterations = 0;
  const toWarm = (levels: Levels): WarmStart => ({
    exit: (levels.exit - theta) / sd,
    entry: levels.entry === null ? null : (levels.entry - theta) / sd,
    entryLower: levels.entryLower === null ? null : (levels.entryLower - theta) / sd,
    y: levels.y,
    exitValue: levels.exitValue,
    entryValue: levels.entryValue,
  });
  let current = solveOnGrid(buildGrid(yMin, yMax, yL, basePoints, 1), nu, theta, sd, c, yL, scheme, null);
  totalIterations += current.iterations;
  for (let widen = 0; widen <= MAX_DOMAIN_WIDENINGS; widen++) {
    // Widening steps grow geometrically (4, 8, 16, … sd, at most half the level's distance from θ beyond
    // 4 sd): a level pinned at an edge moves with it, and the domain overshoots the level by ≤ 50 %.
    const stepFor = (yLevel: number): number =>
      Math.max(2 * BOUNDARY_MARGIN_SD, Math.min(2 * BOUNDARY_MARGIN_SD * 2 ** widen, 0.5 * Math.abs(yLevel)));
    let widened = false;
    const yExit = (current.exit - theta) / sd;
    if (yExit > yMax - BOUNDARY_MARGIN_SD) {
      yMax = yExit + stepFor(yExit);
      widened = true;
    }
    // θ − c ≫ sd puts b* far below θ (≈ −ν(θ − c)/(1 + ν) in the limit); without stop-loss it can cross the bottom.
    if (yL === null && yExit < yMin + BOUNDARY_MARGIN_SD) {
      yMin = yExit - stepFor(yExit);
      widened = true;
    }
    if (current.entry !== null && yL === null) {
      const yEntry = (current.entry - theta) / sd;
      if (yEntry < yMin + BOUNDARY_MARGIN_SD) {
        yMin = yEntry - stepFor(yEntry);
        widened = true;
      }
    }
    if (!widened) break;
    // Stop as soon as the domain alone (levels ≥ 2 sd inside its edges) needs more than MAX_POINTS nodes.
    const nearestLevelBound = Math.max(Math.abs(yMin), Math.abs(yMax)) - 2 * BOUNDARY_MARGIN_SD;
    if (widen === MAX_DOMAIN_WIDENINGS || (yMax - yMin) * nearestLevelBound > MAX_STEP_SCALE * (MAX_POINTS - 1)) {
      unresolvable(`the levels lie beyond ${Math.max(-yMin, yMax).toPrecision(3)} stationary sds from theta`);
    }
    current = solveOnGrid(buildGrid(yMin, yMax, yL, basePoints, 1), nu, theta, sd, c, yL, scheme, toWarm(current));
    totalIterations += current.iterations;
  }
  // Resolution: the OU solutions vary like e^{|y|·Δy} near a level at |y| sd, so keep |y|·h ≤ MAX_STEP_SCALE.
  const largestLevel = Math.max(
    1,
    Math.abs((current.exit - theta) / sd),
    current.entry === null ? 0 : Math.abs((current.entry - theta) / sd),
    current.entryLower === null ? 0 : Math.abs((current.entryLower - theta) / sd),
  );
  let targetPoints = points;
  const neededIntervals = Math.ceil(((yMax - yMin) * largestLevel) / MAX_STEP_SCALE);
  if (neededIntervals + 1 > MAX_POINTS) {
    unresolvable(
      `levels ${largestLevel.toPrecision(3)} sds from theta on a ${(yMax - yMin).toPrecision(3)}-sd domain need ${neededIntervals + 1} nodes`,
    );
  }
  if (neededIntervals + 1 > targetPoints) {
    targetPoints = neededIntervals + 1;
    warnings.push(`solveHjb: grid refined to ${targetPoints} points to resolve levels ${largestLevel.toFixed(1)} sd from theta`);
  }
  const solvePair = (target: number): { coarseLevels: Levels; fine: Levels } => {
    const coarsePoints = Math.max(21, Math.ceil((target + 1) / 2));
    while (2 * basePoints - 1 < coarsePoints) {
      basePoints = 2 * basePoints - 1;
      current = solveOnGrid(buildGrid(yMin, yMax, yL, basePoints, 1), nu, theta, sd, c, yL, scheme, toWarm(current));
      totalIterations += current.iterations;
    }
    const coarse = solveOnGrid(buildGrid(yMin, yMax, yL, coarsePoints, 1), nu, theta, sd, c, yL, scheme, toWarm(current));
    totalIterations += coarse.iterations;
    const refined = solveOnGrid(buildGrid(yMin, yMax, yL, coarsePoints, 2), nu, theta, sd, c, yL, scheme, toWarm(coarse));
    totalIterations += refined.iterations;
    return { coarseLevels: coarse, fine: refined };
  };
  let { coarseLevels, fine } = solvePair(targetPoints);
  {
    // The 41-node estimate of the levels can be far off (a level 18 sd out read as 9 sd): check the
    // resolution rule against the fine-grid levels and re-solve once if it asked for too few nodes.
    const fineLargest = Math.max(
      1,
      Math.abs((fine.exit - theta) / sd),
      fine.entry === null ? 0 : Math.abs((fine.entry - theta) / sd),
      fine.entryLower === null ? 0 : Math.abs((fine.entryLower - theta) / sd),
    );
    const fineNeeded = Math.ceil(((yMax - yMin) * fineLargest) / MAX_STEP_SCALE) + 1;
    if (fineNeeded > 1.05 * targetPoints) {
      if (fineNeeded > MAX_POINTS) {
        unresolvable(
          `levels ${fineLargest.toPrecision(3)} sds from theta on a ${(yMax - yMin).toPrecision(3)}-sd domain need ${fineNeeded} nodes`,
        );
      }
      targetPoints = fineNeeded;
      warnings.push(`solveHjb: grid refined to ${targetPoints} points to resolve levels ${fineLargest.toFixed(1)} sd from theta`);
      ({ coarseLevels, fine } = solvePair(targetPoints));
    }
  }
  if (yL !== null) {
    // A stop-loss exit level within a few nodes of L (b*_L − L ≪ sd) leaves the smooth-fit stencil and the
    // h²-expansion of the Richardson pair no room: refine once so that b*_L − L spans ≥ MIN_STOP_LOSS_GAP_NODES coarse intervals.
    const gap = (fine.exit - theta) / sd - yL;
    const coarseH = 2 * (fine.y[1] - fine.y[0]);
    if (gap > 0 && gap < MIN_STOP_LOSS_GAP_NODES * coarseH && targetPoints < MAX_POINTS) {
      targetPoints = Math.min(MAX_POINTS, 2 * Math.ceil(((yMax - yMin) * MIN_STOP_LOSS_GAP_NODES) / gap) + 1);
      warnings.push(
        `solveHjb: grid refined to ${targetPoints} points to resolve the stop-loss exit level ${gap.toPrecision(3)} sd above the stop-loss`,
      );
      ({ coarseLevels, fine } = solvePair(targetPoints));
    }
  }
  if (fine.entryUnresolved || coarseLevels.entryUnresolved) {
    // Seen when the entry premium and its continuation value touch very flatly (e.g. θ ~100 sd below c
    // with a stop-loss: an entry interval tens of sd wide): O(h²) value errors then move the discrete
    // contact set by O(sd), so the node-level fallback would be silently wrong.
    rangeError(
      fn,
      `the entry level's smooth-fit point cannot be located on the grid (the entry region's edge is too flat for a finite-difference solve; theta = ${theta}, c = ${c}, c − theta = ${((c - theta) / sd).toPrecision(3)} stationary sds${p.stopLoss === null ? "" : `, stopLoss − theta = ${(yL as number).toPrecision(3)} sds`}); use leungLi for such parameters`,
    );
  }
  if (fine.upwinded || coarseLevels.upwinded) {
    warnings.push(
      "solveHjb: the drift was upwinded (|y|·h > 2) at some nodes; levels are first-order accurate there — use more grid points",
    );
  }
  if (fine.notConverged || coarseLevels.notConverged)
    warnings.push(`solveHjb: ${scheme} hit its iteration cap; the discrete obstacle problem is not fully solved`);

  const combine = (fineLevel: number | null, coarseLevel: number | null): number | null => {
    if (fineLevel === null) return null;
    if (!extrapolate || coarseLevel === null) return fineLevel;
    return (4 * fineLevel - coarseLevel) / 3;
  };
  const exitLevel = combine(fine.exit, coarseLevels.exit) as number;
  const entryLevel = combine(fine.entry, coarseLevels.entry);
  const entryLowerLevel = combine(fine.entryLower, coarseLevels.entryLower);
  if ((fine.entry === null) !== (coarseLevels.entry === null)) {
    warnings.push("solveHjb: the entry region exists on one grid only (it is narrower than the grid spacing); refine the grid");
  }
  let levelErrorEstimate = Math.abs(exitLevel - fine.exit);
  if (entryLevel !== null && fine.entry !== null) levelErrorEstimate = Math.max(levelErrorEstimate, Math.abs(entryLevel - fine.entry));
  if (entryLowerLevel !== null && fine.entryLower !== null) {
    levelErrorEstimate = Math.max(levelErrorEstimate, Math.abs(entryLowerLevel - fine.entryLower));
  }
  const x = new Float64Array(fine.y.length);
  for (let i = 0; i < x.length; i++) x[i] = theta + sd * fine.y[i];
  return Object.freeze({
    x,
    exitValue: fine.exitValue,
    entryValue: fine.entryValue,
    exitLevel,
    entryLevel,
    entryLowerLevel,
    levelErrorEstimate,
    iterations: totalIterations,
    residual: fine.residual,
    gridSpacing: sd * (fine.y[1] - fine.y[0]),
    warnings,
  });
}

/**
 * Root of nodal function q near node `near` (searching outward within ±EXTENSION_NODES − 2), by
 * Brent on its cubic interpolant. Returns y, or NaN if q has no sign change there.
 */
function locateRoot(q: Float64Array, grid: Grid, near: number): number {
  const reach = EXTENSION_NODES - 2;
  for (let offset = 0; offset <= reach; offset++) {
    for (const j of offset === 0 ? [near] : [near + offset, near - offset]) {
      if (j < 1 || j + 2 >= q.length) continue;
      const a = q[j];
      const b = q[j + 1];
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (a === 0) return grid.y[j];
      if (a * b < 0) {
        // Cubic on nodes j−1..j+2, or the stencil shifted by one where a node is undefined (next to a
        // stop-loss, where the homogeneous solution's slope is not defined at L itself).
        let stencil = j;
        if (!Number.isFinite(q[j - 1]) || !Number.isFinite(q[j + 2])) {
          stencil = j + 2 < q.length - 1 && Number.isFinite(q[j + 2]) && Number.isFinite(q[j + 3]) ? j + 1 : j - 1;
        }
        const f = (y: number): number => cubicAt(q, grid, stencil, y);
        return findRootBrent(f, grid.y[j], grid.y[j + 1], 1e-15 * grid.h, 200, a, b);
      }
    }
  }
  return NaN;
}

/** Levels of a previous (coarser) solve, in y units, used to start policy iteration near the answer. */
interface WarmStart {
  exit: number;
  entry: number | null;
  entryLower: number | null;
  /** Previous grid and values (PSOR starts from their interpolant). */
  y: Float64Array;
  exitValue: Float64Array;
  entryValue: Float64Array;
}

function solveOnGrid(
  grid: Grid,
  nu: number,
  theta: number,
  sd: number,
  c: number,
  yL: number | null,
  scheme: HjbScheme,
  warm: WarmStart | null,
): Levels {
  const { y, h } = grid;
  const n = y.length;
  const rows = ouOperatorRows(grid, nu);
  const xOf = (yy: number): number => theta + sd * yy;
  const exitObstacle = new Float64Array(n);
  // In y: x − c = (θ − c) + sd·y, with θ − c formed once (no cancellation of a large θ against c node by node).
  const offset = theta - c;
  for (let i = 0; i < n; i++) exitObstacle[i] = offset + sd * y[i];
  let iterations = 0;
  let residual = 0;
  let notConverged = false;

  // ---- Exit problem.
  const first = yL === null ? 0 : grid.iL;
  const exitSolution = solveObstacle(
    rows,
    grid,
    nu,
    exitObstacle,
    first,
    n - 1,
    yL === null ? { kind: "robin" } : { kind: "dirichlet", value: exitObstacle[first] },
    { kind: "dirichlet", value: exitObstacle[n - 1] },
    scheme,
    warm === null ? null : (i) => grid.y[i] >= warm.exit,
    warm === null ? null : interpolateOnto(warm.y, warm.exitValue, grid),
  );
  iterations += exitSolution.iterations;
  residual = Math.max(residual, exitSolution.residual);
  notConverged ||= exitSolution.notConverged;
  // Last continuation node below the exit region.
  let k = n - 2;
  while (k > first && exitSolution.stop[k] === 1) k--;
  const vExt = exitSolution.value.slice();
  extendByRecurrence(vExt, rows, k, 1, EXTENSION_NODES);
  const vExtSlope = new Float64Array(n).fill(NaN);
  centralDerivative(vExt, h, k - EXTENSION_NODES, k + EXTENSION_NODES - 1, vExtSlope);
  const exitValue = new Float64Array(n);
  let yExit: number;
  if (yL === null) {
    // Scale-free smooth fit: Ψ = V·g′ − g·V′ with g = x − c, g′ = sd.
    const psi = new Float64Array(n).fill(NaN);
    for (let i = Math.max(1, k - EXTENSION_NODES); i <= Math.min(n - 2, k + EXTENSION_NODES - 1); i++) {
      psi[i] = vExt[i] * sd - exitObstacle[i] * vExtSlope[i];
    }
    yExit = locateRoot(psi, grid, k);
    if (Number.isNaN(yExit)) yExit = y[k] + 0.5 * h;
    const jb = Math.min(n - 2, Math.max(1, Math.floor((yExit - y[0]) / h)));
    const factor = (offset + sd * yExit) / cubicAt(vExt, grid, jb, yExit);
    for (let i = 0; i < n; i++) exitValue[i] = y[i] < yExit ? factor * vExt[i] : exitObstacle[i];
  } else {
    // Family V + t·W with W(L) = 0 (homogeneous): Φ = (g − V)W′ − (g′ − V′)W.
    const w = new Float64Array(n).fill(NaN);
    w[first] = 0;
    w[first + 1] = 1;
    extendByRecurrence(w, rows, first + 1, 1, Math.min(n - 2, k + EXTENSION_NODES) - first - 1);
    const wSlope = new Float64Array(n).fill(NaN);
    centralDerivative(w, h, k - EXTENSION_NODES, k + EXTENSION_NODES - 1, wSlope);
    const phi = new Float64Array(n).fill(NaN);
    for (let i = Math.max(first + 1, k - EXTENSION_NODES); i <= Math.min(n - 2, k + EXTENSION_NODES - 1); i++) {
      phi[i] = (exitObstacle[i] - vExt[i]) * wSlope[i] - (sd - vExtSlope[i]) * w[i];
    }
    yExit = locateRoot(phi, grid, k);
    // No continuation node above L and no sub-grid smooth-fit point: immediate exit (b* ≤ L), b*_L = L.
    if (Number.isNaN(yExit)) yExit = k === first ? y[first] : y[k] + 0.5 * h;
    const jb = Math.min(n - 2, Math.max(1, Math.floor((yExit - y[0]) / h)));
    const t = (offset + sd * yExit - cubicAt(vExt, grid, jb, yExit)) / cubicAt(w, grid, jb, yExit);
    for (let i = 0; i < n; i++) {
      exitValue[i] = y[i] > y[first] && y[i] < yExit ? vExt[i] + t * w[i] : exitObstacle[i];
    }
  }

  // ---- Entry problem, obstacle V(x) − x − c from the reconstructed exit value.
  const entryObstacle = new Float64Array(n);
  const entryOffset = theta + c;
  for (let i = 0; i < n; i++) entryObstacle[i] = exitValue[i] - entryOffset - sd * y[i];
  const entrySlope = new Float64Array(n).fill(NaN);
  centralDerivative(exitValue, h, 1, n - 2, entrySlope);
  for (let i = 1; i < n - 1; i++) entrySlope[i] -= sd;
  const entrySolution = solveObstacle(
    rows,
    grid,
    nu,
    entryObstacle,
    0,
    n - 1,
    yL === null ? { kind: "dirichlet", value: entryObstacle[0] } : { kind: "robin" },
    { kind: "robin" },
    scheme,
    warm === null
      ? null
      : warm.entry === null
        ? () => false
        : (i) => grid.y[i] <= (warm.entry as number) && (warm.entryLower === null || grid.y[i] >= warm.entryLower),
    warm === null ? null : interpolateOnto(warm.y, warm.entryValue, grid),
  );
  iterations += entrySolution.iterations;
  residual = Math.max(residual, entrySolution.residual);
  notConverged ||= entrySolution.notConverged;
  const stop = entrySolution.stop;
  let lowStop = -1;
  let highStop = -1;
  for (let i = 0; i < n; i++) {
    if (stop[i] === 1 || (stop[i] === 2 && yL === null && i === 0)) {
      if (lowStop < 0) lowStop = i;
      highStop = i;
    }
  }
  const entryValue = entrySolution.value.slice();
  const smoothFitEntry = (values: Float64Array, near: number): number => {
    const slope = new Float64Array(n).fill(NaN);
    centralDerivative(values, h, near - EXTENSION_NODES, near + EXTENSION_NODES, slope);
    const psi = new Float64Array(n).fill(NaN);
    for (let i = Math.max(1, near - EXTENSION_NODES); i <= Math.min(n - 2, near + EXTENSION_NODES); i++) {
      psi[i] = values[i] * entrySlope[i] - entryObstacle[i] * slope[i];
    }
    return locateRoot(psi, grid, near);
  };
  let entry: number | null = null;
  let entryLower: number | null = null;
  let entryUnresolved = false;
  if (highStop >= 0 && highStop < n - 2) {
    // Upper entry level: continuation above is ∝ decreasing solution; extend it downward.
    const jExt = entrySolution.value.slice();
    extendByRecurrence(jExt, rows, highStop + 1, -1, EXTENSION_NODES);
    const yEntry = smoothFitEntry(jExt, highStop);
    if (!Number.isNaN(yEntry)) {
      entry = xOf(yEntry);
      const jd = Math.min(n - 2, Math.max(1, Math.floor((yEntry - y[0]) / h)));
      const factor = cubicAt(entryObstacle, grid, jd, yEntry) / cubicAt(jExt, grid, jd, yEntry);
      for (let i = 0; i < n; i++) if (y[i] > yEntry) entryValue[i] = factor * jExt[i];
    } else {
      entry = xOf(y[highStop]);
      entryUnresolved = true;
    }
    if (yL !== null && lowStop > 1) {
      const jExt2 = entrySolution.value.slice();
      extendByRecurrence(jExt2, rows, lowStop - 1, 1, EXTENSION_NODES);
      const yLower = smoothFitEntry(jExt2, lowStop - 1);
      if (!Number.isNaN(yLower)) {
        entryLower = xOf(yLower);
        const ja = Math.min(n - 2, Math.max(1, Math.floor((yLower - y[0]) / h)));
        const factor = cubicAt(entryObstacle, grid, ja, yLower) / cubicAt(jExt2, grid, ja, yLower);
        for (let i = 0; i < n; i++) if (y[i] < yLower) entryValue[i] = factor * jExt2[i];
      } else {
        entryLower = xOf(y[lowStop]);
        entryUnresolved = true;
      }
    }
  }
  return {
    exit: xOf(yExit),
    entry,
    entryLower,
    exitValue,
    entryValue,
    iterations,
    residual,
    y,
    upwinded: rows.upwinded,
    notConverged,
    entryUnresolved,
  };
}
