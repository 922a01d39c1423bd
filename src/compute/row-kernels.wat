;; The row kernels of the host SGD steps (src/models/mnist-baselines/host-sgd.ts) in WebAssembly
;; SIMD, four float32 lanes at a time. The JavaScript kernels of src/compute/row-kernels.ts are the
;; reference: every function here does what its namesake there does, with the same update rules
;; and the same zero-input skipping; only the order of the additions differs (per lane, then
;; across lanes), and the sums are float32 where JavaScript adds in float64.
;;
;; Build: `npm run build:wasm` turns this file into row-kernels.wasm beside it (committed; a test
;; checks that the two agree).
;;
;; Every pointer is a byte offset into the imported memory; every length counts float32 values.
;; The whole-layer loops (forward, backward, da_decode, da_update) run inside WebAssembly so that
;; a step makes a handful of calls from JavaScript, not one per row. `exp` is Math.exp, for the
;; sigmoid of the dA's reconstruction, which has to be known before its row's share of the
;; hidden gradient is added.
(module
  (import "env" "memory" (memory 1))
  (import "env" "exp" (func $exp (param f64) (result f64)))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; p + 4 n: the end of n floats from p.
  (func $end (param $p i32) (param $n i32) (result i32)
    (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))

  ;; p + 4 (n rounded down to a multiple of m); m a power of two.
  (func $endBy (param $p i32) (param $n i32) (param $m i32) (result i32)
    (i32.add (local.get $p)
      (i32.shl (i32.and (local.get $n) (i32.sub (i32.const 0) (local.get $m))) (i32.const 2))))

  ;; sum_j p[j] q[j] over j < n. Two accumulators of eight products each pass: a single one
  ;; would wait on the latency of every addition.
  (func $dot (export "dot") (param $p i32) (param $q i32) (param $n i32) (result f32)
    (local $end i32) (local $end8 i32) (local $s0 v128) (local $s1 v128) (local $s f32)
    (local.set $end (call $end (local.get $p) (local.get $n)))
    (local.set $end8 (call $endBy (local.get $p) (local.get $n) (i32.const 8)))
    (block $done
      (loop $by8
        (br_if $done (i32.ge_u (local.get $p) (local.get $end8)))
        (local.set $s0 (f32x4.add (local.get $s0)
          (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $s1 (f32x4.add (local.get $s1)
          (f32x4.mul (v128.load offset=16 (local.get $p)) (v128.load offset=16 (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br $by8)))
    (if (i32.le_u (i32.add (local.get $p) (i32.const 16)) (local.get $end))
      (then
        (local.set $s0 (f32x4.add (local.get $s0)
          (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))))
    (local.set $s (call $hsum (f32x4.add (local.get $s0) (local.get $s1))))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $p)) (f32.load (local.get $q)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $tail)))
    (local.get $s))

  ;; y[j] += a src[j] over j < n.
  (func $axpy (export "axpy") (param $y i32) (param $a f32) (param $src i32) (param $n i32)
    (local $end i32) (local $end8 i32) (local $av v128)
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (call $end (local.get $y) (local.get $n)))
    (local.set $end8 (call $endBy (local.get $y) (local.get $n) (i32.const 8)))
    (block $done
      (loop $by8
        (br_if $done (i32.ge_u (local.get $y) (local.get $end8)))
        (v128.store (local.get $y)
          (f32x4.add (v128.load (local.get $y)) (f32x4.mul (local.get $av) (v128.load (local.get $src)))))
        (v128.store offset=16 (local.get $y)
          (f32x4.add (v128.load offset=16 (local.get $y)) (f32x4.mul (local.get $av) (v128.load offset=16 (local.get $src)))))
        (local.set $y (i32.add (local.get $y) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (br $by8)))
    (if (i32.le_u (i32.add (local.get $y) (i32.const 16)) (local.get $end))
      (then
        (v128.store (local.get $y)
          (f32x4.add (v128.load (local.get $y)) (f32x4.mul (local.get $av) (v128.load (local.get $src)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
        (f32.store (local.get $y)
          (f32.add (f32.load (local.get $y)) (f32.mul (local.get $a) (f32.load (local.get $src)))))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $tail))))

  ;; w[j] = shrink w[j] - a v[j] over j < n; returns sum_j w[j] v[j] with the OLD weights.
  (func $dotThenUpdate (export "dot_then_update")
    (param $w i32) (param $v i32) (param $shrink f32) (param $a f32) (param $n i32) (result f32)
    (local $end i32) (local $end4 i32) (local $sv v128) (local $av v128)
    (local $s0 v128) (local $x v128) (local $u v128) (local $s f32) (local $ws f32)
    (local.set $sv (f32x4.splat (local.get $shrink)))
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (call $end (local.get $w) (local.get $n)))
    (local.set $end4 (call $endBy (local.get $w) (local.get $n) (i32.const 4)))
    (block $done
      (loop $by4
        (br_if $done (i32.ge_u (local.get $w) (local.get $end4)))
        (local.set $x (v128.load (local.get $w)))
        (local.set $u (v128.load (local.get $v)))
        (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $x) (local.get $u))))
        (v128.store (local.get $w)
          (f32x4.sub (f32x4.mul (local.get $sv) (local.get $x)) (f32x4.mul (local.get $av) (local.get $u))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $by4)))
    (local.set $s (call $hsum (local.get $s0)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $ws (f32.load (local.get $w)))
        (local.set $s (f32.add (local.get $s) (f32.mul (local.get $ws) (f32.load (local.get $v)))))
        (f32.store (local.get $w)
          (f32.sub (f32.mul (local.get $shrink) (local.get $ws)) (f32.mul (local.get $a) (f32.load (local.get $v)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $tail)))
    (local.get $s))

  ;; w[j] = shrink w[j] - a v[j] over j < n.
  (func $update (export "update") (param $w i32) (param $shrink f32) (param $a f32) (param $v i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $sv v128) (local $av v128)
    (local.set $sv (f32x4.splat (local.get $shrink)))
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (call $end (local.get $w) (local.get $n)))
    (local.set $end4 (call $endBy (local.get $w) (local.get $n) (i32.const 4)))
    (block $done
      (loop $by4
        (br_if $done (i32.ge_u (local.get $w) (local.get $end4)))
        (v128.store (local.get $w)
          (f32x4.sub (f32x4.mul (local.get $sv) (v128.load (local.get $w)))
            (f32x4.mul (local.get $av) (v128.load (local.get $v)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $by4)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (f32.store (local.get $w)
          (f32.sub (f32.mul (local.get $shrink) (f32.load (local.get $w)))
            (f32.mul (local.get $a) (f32.load (local.get $v)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $tail))))

  ;; w[j] = shrink w[j] - a v[j] - c u[j] over j < n.
  (func $update2 (export "update2")
    (param $w i32) (param $shrink f32) (param $a f32) (param $v i32) (param $c f32) (param $u i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $sv v128) (local $av v128) (local $cv v128)
    (local.set $sv (f32x4.splat (local.get $shrink)))
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $cv (f32x4.splat (local.get $c)))
    (local.set $end (call $end (local.get $w) (local.get $n)))
    (local.set $end4 (call $endBy (local.get $w) (local.get $n) (i32.const 4)))
    (block $done
      (loop $by4
        (br_if $done (i32.ge_u (local.get $w) (local.get $end4)))
        (v128.store (local.get $w)
          (f32x4.sub
            (f32x4.sub (f32x4.mul (local.get $sv) (v128.load (local.get $w)))
              (f32x4.mul (local.get $av) (v128.load (local.get $v))))
            (f32x4.mul (local.get $cv) (v128.load (local.get $u)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (local.set $u (i32.add (local.get $u) (i32.const 16)))
        (br $by4)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (f32.store (local.get $w)
          (f32.sub
            (f32.sub (f32.mul (local.get $shrink) (f32.load (local.get $w)))
              (f32.mul (local.get $a) (f32.load (local.get $v))))
            (f32.mul (local.get $c) (f32.load (local.get $u)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (local.set $u (i32.add (local.get $u) (i32.const 4)))
        (br $tail))))

  ;; out = b + x W over the rows of nonzero x[i] (W: nIn x nOut, row-major).
  (func (export "forward") (param $W i32) (param $x i32) (param $nIn i32) (param $nOut i32) (param $b i32) (param $out i32)
    (local $row i32) (local $rowBytes i32) (local $end i32) (local $xi f32)
    (memory.copy (local.get $out) (local.get $b) (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $end (call $end (local.get $x) (local.get $nIn)))
    (local.set $row (local.get $W))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $xi (f32.load (local.get $x)))
        (if (f32.ne (local.get $xi) (f32.const 0))
          (then (call $axpy (local.get $out) (local.get $xi) (local.get $row) (local.get $nOut))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows))))

  ;; Top-down through a layer with input x and delta = dJ/d(its pre-activation): when hasDx,
  ;; dx[i] = W_i . delta with the weights before the step; and the step
  ;; W_i = shrink W_i - lr x[i] delta, in the same pass over each row. A row of x[i] = 0 is
  ;; left alone unless shrink != 1 (weight decay).
  (func (export "backward")
    (param $W i32) (param $x i32) (param $delta i32) (param $nIn i32) (param $nOut i32)
    (param $lr f64) (param $shrink f64) (param $dx i32) (param $hasDx i32)
    (local $row i32) (local $rowBytes i32) (local $end i32) (local $step f64) (local $s f32)
    (local.set $s (f32.demote_f64 (local.get $shrink)))
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $end (call $end (local.get $x) (local.get $nIn)))
    (local.set $row (local.get $W))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $step (f64.mul (local.get $lr) (f64.promote_f32 (f32.load (local.get $x)))))
        (if (i32.or (f64.ne (local.get $step) (f64.const 0)) (f64.ne (local.get $shrink) (f64.const 1)))
          (then
            (if (local.get $hasDx)
              (then
                (f32.store (local.get $dx)
                  (call $dotThenUpdate (local.get $row) (local.get $delta) (local.get $s)
                    (f32.demote_f64 (local.get $step)) (local.get $nOut))))
              (else
                (call $update (local.get $row) (local.get $s) (f32.demote_f64 (local.get $step))
                  (local.get $delta) (local.get $nOut)))))
          (else
            (if (local.get $hasDx)
              (then (f32.store (local.get $dx) (call $dot (local.get $row) (local.get $delta) (local.get $nOut)))))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows))))

  ;; The dA's decoder and the first half of its backward pass, one pass over W: for each visible
  ;; unit i, a[i] = bVisible[i] + W_i . h (float64 out, for the cost), da[i] = sigmoid(a[i]) - x[i],
  ;; and dh += da[i] W_i (dh zeroed first).
  (func (export "da_decode")
    (param $W i32) (param $h i32) (param $bVisible i32) (param $x i32) (param $nIn i32) (param $nOut i32)
    (param $da i32) (param $a i32) (param $dh i32)
    (local $row i32) (local $rowBytes i32) (local $end i32) (local $ai f64) (local $d f32)
    (memory.fill (local.get $dh) (i32.const 0) (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $end (call $end (local.get $x) (local.get $nIn)))
    (local.set $row (local.get $W))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $ai (f64.add (f64.promote_f32 (f32.load (local.get $bVisible)))
          (f64.promote_f32 (call $dot (local.get $row) (local.get $h) (local.get $nOut)))))
        (f64.store (local.get $a) (local.get $ai))
        (local.set $d (f32.demote_f64
          (f64.sub
            (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.neg (local.get $ai)))))
            (f64.promote_f32 (f32.load (local.get $x))))))
        (f32.store (local.get $da) (local.get $d))
        (call $axpy (local.get $dh) (local.get $d) (local.get $row) (local.get $nOut))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $bVisible (i32.add (local.get $bVisible) (i32.const 4)))
        (local.set $da (i32.add (local.get $da) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 8)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows))))

  ;; The dA's step, with dh already through the sigmoid's derivative: for each visible unit i,
  ;; W_i -= lr da[i] h + lr noisy[i] dh (the second term only for a nonzero noisy[i]) and
  ;; bVisible[i] -= lr da[i].
  (func (export "da_update")
    (param $W i32) (param $h i32) (param $da i32) (param $noisy i32) (param $dh i32) (param $lr f64)
    (param $nIn i32) (param $nOut i32) (param $bVisible i32)
    (local $row i32) (local $rowBytes i32) (local $end i32) (local $v f64) (local $xi f32)
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 2)))
    (local.set $end (call $end (local.get $da) (local.get $nIn)))
    (local.set $row (local.get $W))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $da) (local.get $end)))
        (local.set $v (f64.mul (local.get $lr) (f64.promote_f32 (f32.load (local.get $da)))))
        (local.set $xi (f32.load (local.get $noisy)))
        (if (f32.ne (local.get $xi) (f32.const 0))
          (then
            (call $update2 (local.get $row) (f32.const 1) (f32.demote_f64 (local.get $v)) (local.get $h)
              (f32.demote_f64 (f64.mul (local.get $lr) (f64.promote_f32 (local.get $xi)))) (local.get $dh) (local.get $nOut)))
          (else
            (call $update (local.get $row) (f32.const 1) (f32.demote_f64 (local.get $v)) (local.get $h) (local.get $nOut))))
        (f32.store (local.get $bVisible)
          (f32.demote_f64 (f64.sub (f64.promote_f32 (f32.load (local.get $bVisible))) (local.get $v))))
        (local.set $da (i32.add (local.get $da) (i32.const 4)))
        (local.set $noisy (i32.add (local.get $noisy) (i32.const 4)))
        (local.set $bVisible (i32.add (local.get $bVisible) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br $rows))))

  ;; sum_k p[k]^2 over k < n, in float64 (the products of two float32 values are exact there).
  (func (export "sum_squares") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $end4 i32) (local $v v128) (local $lo v128) (local $hi v128)
    (local $s0 v128) (local $s1 v128) (local $s f64) (local $x f64)
    (local.set $end (call $end (local.get $p) (local.get $n)))
    (local.set $end4 (call $endBy (local.get $p) (local.get $n) (i32.const 4)))
    (block $done
      (loop $by4
        (br_if $done (i32.ge_u (local.get $p) (local.get $end4)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $hi (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $lo) (local.get $lo))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $hi) (local.get $hi))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $by4)))
    (local.set $s0 (f64x2.add (local.get $s0) (local.get $s1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (local.get $s))
)
