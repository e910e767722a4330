//! Pan and zoom of an SVG drawing: `translate(tx, ty) scale(scale)` applied
//! to content drawn in its own coordinates (pure; tested natively).
//!
//! Invariant: the scale stays within [`MIN_SCALE`, `MAX_SCALE`]; zooming
//! keeps the content point under the zoom centre where it was.

pub const MIN_SCALE: f64 = 0.1;
pub const MAX_SCALE: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub tx: f64,
    pub ty: f64,
    pub scale: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { tx: 0.0, ty: 0.0, scale: 1.0 }
    }
}

impl Viewport {
    /// The whole `content_w` × `content_h` drawing centred in a
    /// `view_w` × `view_h` viewport, never enlarged beyond 1:1.
    pub fn fit(content_w: f64, content_h: f64, view_w: f64, view_h: f64) -> Self {
        if content_w <= 0.0 || content_h <= 0.0 || view_w <= 0.0 || view_h <= 0.0 {
            return Viewport::default();
        }
        let scale = (view_w / content_w).min(view_h / content_h).clamp(MIN_SCALE, 1.0);
        Viewport { tx: (view_w - content_w * scale) / 2.0, ty: (view_h - content_h * scale) / 2.0, scale }
    }

    /// Zooms by `factor` around the viewport point (`cx`, `cy`).
    pub fn zoom_at(self, factor: f64, cx: f64, cy: f64) -> Self {
        let scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let k = scale / self.scale;
        Viewport { tx: cx - (cx - self.tx) * k, ty: cy - (cy - self.ty) * k, scale }
    }

    pub fn pan(self, dx: f64, dy: f64) -> Self {
        Viewport { tx: self.tx + dx, ty: self.ty + dy, ..self }
    }

    /// The SVG `transform` attribute.
    pub fn transform(&self) -> String {
        format!("translate({:.2},{:.2}) scale({:.4})", self.tx, self.ty, self.scale)
    }

    /// The wheel's zoom factor for a `deltaY` (pixels; negative zooms in).
    pub fn wheel_factor(delta_y: f64) -> f64 {
        (-delta_y.clamp(-300.0, 300.0) * 0.002).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_centres_and_never_enlarges() {
        let v = Viewport::fit(2000.0, 500.0, 1000.0, 600.0);
        assert_eq!(v.scale, 0.5);
        assert_eq!((v.tx, v.ty), (0.0, 175.0));
        assert_eq!(Viewport::fit(100.0, 100.0, 1000.0, 600.0).scale, 1.0);
        assert_eq!(Viewport::fit(0.0, 0.0, 10.0, 10.0), Viewport::default());
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let v = Viewport { tx: 30.0, ty: -20.0, scale: 0.8 };
        let (cx, cy) = (400.0, 300.0);
        let content = ((cx - v.tx) / v.scale, (cy - v.ty) / v.scale);
        let z = v.zoom_at(1.5, cx, cy);
        assert!((z.scale - 1.2).abs() < 1e-9);
        assert!((content.0 * z.scale + z.tx - cx).abs() < 1e-9);
        assert!((content.1 * z.scale + z.ty - cy).abs() < 1e-9);
        assert_eq!(v.zoom_at(1000.0, 0.0, 0.0).scale, MAX_SCALE);
        assert!(Viewport::wheel_factor(-100.0) > 1.0 && Viewport::wheel_factor(100.0) < 1.0);
        assert_eq!(v.pan(5.0, 5.0).tx, 35.0);
    }
}
