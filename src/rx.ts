/**
 * The parts of RxJS tickvisor uses, each imported from its own module.
 *
 * `import … from 'rxjs'` loads all of RxJS (226 CommonJS modules in 7.8): ~6 MB of resident memory
 * in every collector for operators it never calls (docs/architecture.md#memory). RxJS exports its
 * modules one by one under `rxjs/internal/*`, and the classes there are the very ones `rxjs`
 * re-exports, so what tickvisor hands out is an ordinary Observable to anyone's operators
 * (test/rx.test.ts holds them to that). Everything in src/ imports RxJS through this file.
 */
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
export { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
export { ReplaySubject } from 'rxjs/internal/ReplaySubject';
export type { Subscription } from 'rxjs/internal/Subscription';
export { filter } from 'rxjs/internal/operators/filter';
export { distinctUntilChanged } from 'rxjs/internal/operators/distinctUntilChanged';
export { mergeMap } from 'rxjs/internal/operators/mergeMap';
