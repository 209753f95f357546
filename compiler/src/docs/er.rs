//! Docs: the models → an entity-relationship diagram, laid out by djinn.
//!
//! Input: the checked [`Project`]. Output: an [`ErDiagram`] — boxes and
//! routed edges with coordinates — drawn as SVG by [`svg`], and the same
//! relations as Mermaid `erDiagram` text by [`mermaid`].
//!
//! The layout is layered (Sugiyama style), so it needs no external program:
//!
//! 1. **Layers.** A model's layer is the length of the longest chain of
//!    relations from it to a model that refers to nothing (cycles are broken
//!    at the first edge found going back, self references ignored): referred
//!    models stand left of the models referring to them.
//! 2. **Dummies.** An edge spanning several layers gets a small placeholder
//!    in each layer it crosses, so it runs through a free slot there.
//! 3. **Order.** Within each layer, nodes are sorted by the mean position of
//!    their neighbours, sweeping right and left a fixed number of times
//!    (ties keep the previous order: deterministic).
//! 4. **Rows.** Each node wants to sit where its edges run straight (a
//!    foreign key's row level with the header of the model it points to);
//!    the closest placement keeping the layer's order and gaps is found by
//!    isotonic regression (pool adjacent violators), so boxes never overlap.
//! 5. **Edges** are orthogonal: horizontal out of a box, vertical in a lane
//!    of the gap between layers (one lane per bending edge), horizontal in.
//!    Crow's-foot ends say how many rows each side may have.

use crate::check::ir::{FieldType, ModelId, Project};
use handlebars::html_escape;
use std::fmt::Write;

/// Height of a field row.
const ROW_H: f64 = 18.0;
/// Height of a box's header (the model name).
const HEADER_H: f64 = 26.0;
/// Horizontal padding inside a box.
const PAD: f64 = 8.0;
/// Advance of one character of the 12px monospace font.
const CHAR_W: f64 = 7.3;
/// Advance of one character of the 13px bold monospace model names.
const NAME_CHAR_W: f64 = 8.0;
/// Vertical space between boxes of a layer.
const V_GAP: f64 = 32.0;
/// Height of the slot a long edge takes in a layer it crosses.
const DUMMY_H: f64 = 6.0;
/// Room between a box and the first bend of an edge (for the end marks).
const END_CLEAR: f64 = 28.0;
/// Distance between lanes in a gap.
const LANE: f64 = 10.0;
/// Margin around the drawing.
const MARGIN: f64 = 20.0;
/// Sweeps of the ordering and placement passes.
const SWEEPS: usize = 6;

/// How a relation ties two models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    /// Many rows of the holder refer to one row of the target.
    ForeignKey,
    /// At most one row of the holder refers to a row of the target.
    OneToOne,
    /// Rows on both sides relate to many on the other.
    ManyToMany,
}

/// The laid-out diagram.
#[derive(Clone, Debug)]
pub struct ErDiagram {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing, legend included.
    pub height: f64,
    /// One box per model, in declaration order.
    pub boxes: Vec<ErBox>,
    /// One edge per relation field, in declaration order.
    pub edges: Vec<ErEdge>,
    /// Where the legend starts (below the boxes).
    pub legend_y: f64,
}

/// A model's box.
#[derive(Clone, Debug)]
pub struct ErBox {
    /// The model's name.
    pub model: String,
    /// Its documentation, shown as a tooltip.
    pub doc: Option<String>,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// The layer (column), 0 at the left.
    pub layer: usize,
    /// One row per field.
    pub rows: Vec<ErRow>,
}

/// A field in a box.
#[derive(Clone, Debug)]
pub struct ErRow {
    /// `PK`, `FK`, `1:1`, `M:N` or empty.
    pub key: &'static str,
    /// The field's name.
    pub name: String,
    /// Its type, compact (`string(200)`, `Author`).
    pub ty: String,
}

/// A relation, drawn from the model holding the field to its target.
#[derive(Clone, Debug)]
pub struct ErEdge {
    /// The model holding the field.
    pub from: String,
    /// The relation field.
    pub field: String,
    /// The related model.
    pub to: String,
    /// Which relation.
    pub kind: RelationKind,
    /// The field is `null`: a holder row may refer to nothing.
    pub nullable: bool,
    /// The polyline, from the holder's box side to the target's.
    pub points: Vec<(f64, f64)>,
}

/// A relation before layout.
struct Relation {
    holder: usize,
    field: usize,
    target: usize,
    kind: RelationKind,
    nullable: bool,
}

/// A node of the layered graph: a model, or a slot of a long edge.
struct Node {
    layer: usize,
    height: f64,
    top: f64,
    /// `Some(model)` for a model's box.
    model: Option<usize>,
}

/// Two nodes of adjacent layers joined by a piece of an edge.
#[derive(Clone, Copy)]
struct Link {
    low: usize,
    high: usize,
    /// Where the edge meets each node, from its top.
    low_offset: f64,
    high_offset: f64,
}

/// Lays out the diagram of a project's models.
pub fn layout(project: &Project) -> ErDiagram {
    let models = &project.models;
    let relations = relations(project);
    let layers = layers(models.len(), &relations);
    let layer_count = layers.iter().copied().max().map_or(0, |l| l + 1);

    let mut boxes: Vec<ErBox> = models
        .iter()
        .enumerate()
        .map(|(index, model)| {
            let rows: Vec<ErRow> = model
                .fields
                .iter()
                .map(|field| ErRow {
                    key: match &field.ty {
                        _ if field.primary_key => "PK",
                        FieldType::ForeignKey(_) => "FK",
                        FieldType::OneToOne(_) => "1:1",
                        FieldType::ManyToMany(_) => "M:N",
                        _ => "",
                    },
                    name: field.name.clone(),
                    ty: compact_type(project, &field.ty),
                })
                .collect();
            let widest_name = rows
                .iter()
                .map(|r| r.name.chars().count())
                .max()
                .unwrap_or(0);
            let widest_type = rows.iter().map(|r| r.ty.chars().count()).max().unwrap_or(0);
            let rows_width = PAD * 2.0 + CHAR_W * (4 + widest_name + 2 + widest_type) as f64;
            let name_width = PAD * 2.0 + NAME_CHAR_W * model.name.chars().count() as f64;
            ErBox {
                model: model.name.clone(),
                doc: model.doc.clone(),
                x: 0.0,
                y: 0.0,
                width: rows_width.max(name_width).ceil(),
                height: HEADER_H + ROW_H * rows.len() as f64 + 4.0,
                layer: layers[index],
                rows,
            }
        })
        .collect();

    // Nodes: the models, then one slot per layer an edge crosses.
    let mut nodes: Vec<Node> = boxes
        .iter()
        .enumerate()
        .map(|(index, b)| Node {
            layer: b.layer,
            height: b.height,
            top: 0.0,
            model: Some(index),
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(relations.len());
    let mut links: Vec<(usize, Link)> = Vec::new();
    for (edge, relation) in relations.iter().enumerate() {
        if relation.holder == relation.target {
            chains.push(Vec::new());
            continue;
        }
        let (low, high) = if layers[relation.holder] < layers[relation.target] {
            (relation.holder, relation.target)
        } else {
            (relation.target, relation.holder)
        };
        let mut chain = vec![low];
        for layer in layers[low] + 1..layers[high] {
            chain.push(nodes.len());
            nodes.push(Node {
                layer,
                height: DUMMY_H,
                top: 0.0,
                model: None,
            });
        }
        chain.push(high);
        for pair in chain.windows(2) {
            let offset = |node: usize| -> f64 {
                if nodes[node].model.is_none() {
                    DUMMY_H / 2.0
                } else if node == relation.holder {
                    field_row_center(relation.field)
                } else {
                    HEADER_H / 2.0
                }
            };
            links.push((
                edge,
                Link {
                    low: pair[0],
                    high: pair[1],
                    low_offset: offset(pair[0]),
                    high_offset: offset(pair[1]),
                },
            ));
        }
        chains.push(chain);
    }

    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (index, node) in nodes.iter().enumerate() {
        order[node.layer].push(index);
    }
    order_layers(&mut order, &nodes, &links);
    place_rows(&mut order, &mut nodes, &links);

    // Columns: widths, then gaps wide enough for their lanes.
    let mut column_width = vec![20.0_f64; layer_count];
    for b in &boxes {
        column_width[b.layer] = column_width[b.layer].max(b.width);
    }
    // Every piece in a gap may bend once ports are spread: one lane each.
    let mut bends = vec![0usize; layer_count];
    for (_, link) in &links {
        bends[nodes[link.low].layer] += 1;
    }
    let mut loops = vec![0usize; layer_count];
    for relation in relations.iter().filter(|r| r.holder == r.target) {
        loops[layers[relation.holder]] += 1;
    }
    let mut column_x = vec![MARGIN; layer_count];
    let mut gap_x = vec![0.0; layer_count];
    let mut x = MARGIN;
    for layer in 0..layer_count {
        column_x[layer] = x;
        x += column_width[layer];
        gap_x[layer] = x;
        let lanes = bends[layer].max(1) as f64;
        let loop_room = loops[layer] as f64 * LANE + if loops[layer] > 0 { 16.0 } else { 0.0 };
        x += (2.0 * END_CLEAR + (lanes - 1.0) * LANE + loop_room).max(72.0);
    }
    for b in &mut boxes {
        b.x = (column_x[b.layer] + (column_width[b.layer] - b.width) / 2.0).round();
    }
    for node in &nodes {
        if let Some(model) = node.model {
            boxes[model].y = node.top;
        }
    }

    let edges = route_edges(
        project, &relations, &chains, &links, &nodes, &boxes, &column_x, &gap_x,
    );
    let bottom = boxes.iter().map(|b| b.y + b.height).fold(0.0, f64::max);
    let right = boxes.iter().map(|b| b.x + b.width).fold(0.0, f64::max);
    let loop_right = edges
        .iter()
        .flat_map(|e| e.points.iter().map(|p| p.0))
        .fold(0.0, f64::max);
    let legend_y = bottom + 24.0;
    ErDiagram {
        width: (right.max(loop_right) + MARGIN)
            .max(LEGEND_W + 2.0 * MARGIN)
            .ceil(),
        height: (legend_y + LEGEND_H + MARGIN).ceil(),
        boxes,
        edges,
        legend_y,
    }
}

/// Every relation field of the project.
fn relations(project: &Project) -> Vec<Relation> {
    let mut relations = Vec::new();
    for (holder, model) in project.models.iter().enumerate() {
        for (field, f) in model.fields.iter().enumerate() {
            let (kind, target) = match &f.ty {
                FieldType::ForeignKey(r) => (RelationKind::ForeignKey, r.target),
                FieldType::OneToOne(r) => (RelationKind::OneToOne, r.target),
                FieldType::ManyToMany(r) => (RelationKind::ManyToMany, r.target),
                _ => continue,
            };
            relations.push(Relation {
                holder,
                field,
                target: target.0 as usize,
                kind,
                nullable: f.null,
            });
        }
    }
    relations
}

/// Layer of each model: the longest chain of relations below it.
fn layers(count: usize, relations: &[Relation]) -> Vec<usize> {
    let mut targets = vec![Vec::new(); count];
    for relation in relations {
        if relation.holder != relation.target && relation.target < count {
            targets[relation.holder].push(relation.target);
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; count];
    let mut layer = vec![0usize; count];
    for root in 0..count {
        if state[root] != State::New {
            continue;
        }
        // Depth-first without recursion: (node, next target to look at).
        let mut stack = vec![(root, 0usize)];
        state[root] = State::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&target) = targets[node].get(*next) {
                *next += 1;
                if state[target] == State::New {
                    state[target] = State::Open;
                    stack.push((target, 0));
                }
                continue;
            }
            // Open targets are back edges of a cycle: ignored.
            layer[node] = targets[node]
                .iter()
                .filter(|&&t| state[t] == State::Done)
                .map(|&t| layer[t] + 1)
                .max()
                .unwrap_or(0);
            state[node] = State::Done;
            stack.pop();
        }
    }
    layer
}

/// Sorts each layer by the mean position of its neighbours.
fn order_layers(order: &mut [Vec<usize>], nodes: &[Node], links: &[(usize, Link)]) {
    let mut position = vec![0.0_f64; nodes.len()];
    let update = |order: &[Vec<usize>], position: &mut Vec<f64>| {
        for layer in order {
            for (index, &node) in layer.iter().enumerate() {
                position[node] = index as f64;
            }
        }
    };
    update(order, &mut position);
    for _ in 0..SWEEPS {
        for downward in [true, false] {
            let layers: Vec<usize> = if downward {
                (1..order.len()).collect()
            } else {
                (0..order.len().saturating_sub(1)).rev().collect()
            };
            for layer in layers {
                let mut keyed: Vec<(f64, f64, usize)> = order[layer]
                    .iter()
                    .map(|&node| {
                        let neighbours: Vec<f64> = links
                            .iter()
                            .filter_map(|(_, link)| match downward {
                                true if link.high == node => Some(position[link.low]),
                                false if link.low == node => Some(position[link.high]),
                                _ => None,
                            })
                            .collect();
                        let mean = if neighbours.is_empty() {
                            position[node]
                        } else {
                            neighbours.iter().sum::<f64>() / neighbours.len() as f64
                        };
                        (mean, position[node], node)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
                order[layer] = keyed.into_iter().map(|(_, _, node)| node).collect();
                update(order, &mut position);
            }
        }
    }
}

/// Vertical placement: each node as close as it can to where its edges
/// run straight, in layer order, `V_GAP` apart.
fn place_rows(order: &mut [Vec<usize>], nodes: &mut [Node], links: &[(usize, Link)]) {
    for layer in order.iter() {
        let mut top = 0.0;
        for &node in layer {
            nodes[node].top = top;
            top += nodes[node].height + V_GAP;
        }
    }
    for _ in 0..SWEEPS {
        for downward in [true, false] {
            let layers: Vec<usize> = if downward {
                (1..order.len()).collect()
            } else {
                (0..order.len().saturating_sub(1)).rev().collect()
            };
            for layer in layers {
                let wanted: Vec<f64> = order[layer]
                    .iter()
                    .map(|&node| {
                        let tops: Vec<f64> = links
                            .iter()
                            .filter_map(|(_, link)| match downward {
                                true if link.high == node => {
                                    Some(nodes[link.low].top + link.low_offset - link.high_offset)
                                }
                                false if link.low == node => {
                                    Some(nodes[link.high].top + link.high_offset - link.low_offset)
                                }
                                _ => None,
                            })
                            .collect();
                        if tops.is_empty() {
                            nodes[node].top
                        } else {
                            tops.iter().sum::<f64>() / tops.len() as f64
                        }
                    })
                    .collect();
                let heights: Vec<f64> = order[layer].iter().map(|&n| nodes[n].height).collect();
                let placed = closest_ordered(&wanted, &heights, V_GAP);
                for (&node, top) in order[layer].iter().zip(placed) {
                    nodes[node].top = top;
                }
            }
        }
    }
    let min_top = nodes.iter().map(|n| n.top).fold(f64::INFINITY, f64::min);
    let shift = if min_top.is_finite() {
        MARGIN - min_top
    } else {
        0.0
    };
    for node in nodes.iter_mut() {
        node.top = (node.top + shift).round();
    }
}

/// The tops closest (least squares) to `wanted` such that each item starts
/// at least `gap` below the previous one's bottom: isotonic regression by
/// pooling adjacent violators, after removing the fixed offsets.
fn closest_ordered(wanted: &[f64], heights: &[f64], gap: f64) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(wanted.len());
    let mut offset = 0.0;
    for height in heights {
        offsets.push(offset);
        offset += height + gap;
    }
    // Blocks of (sum, count); their mean is the shared shifted top.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (want, offset) in wanted.iter().zip(&offsets) {
        blocks.push((want - offset, 1));
        while blocks.len() > 1 {
            let (sum, count) = blocks[blocks.len() - 1];
            let (prev_sum, prev_count) = blocks[blocks.len() - 2];
            if prev_sum / prev_count as f64 > sum / count as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (prev_sum + sum, prev_count + count);
            } else {
                break;
            }
        }
    }
    let mut tops = Vec::with_capacity(wanted.len());
    for (sum, count) in blocks {
        for _ in 0..count {
            let index = tops.len();
            tops.push(sum / count as f64 + offsets[index]);
        }
    }
    tops
}

/// The vertical centre of a field's row, from the box's top.
fn field_row_center(field: usize) -> f64 {
    HEADER_H + ROW_H * field as f64 + ROW_H / 2.0
}

#[allow(clippy::too_many_arguments)]
fn route_edges(
    project: &Project,
    relations: &[Relation],
    chains: &[Vec<usize>],
    links: &[(usize, Link)],
    nodes: &[Node],
    boxes: &[ErBox],
    column_x: &[f64],
    gap_x: &[f64],
) -> Vec<ErEdge> {
    // Where each piece enters or leaves a node, final ports included: the
    // edges entering one side of a target box share its header's height,
    // spread apart so that their end marks do not overlap.
    let mut target_port: Vec<f64> = vec![HEADER_H / 2.0; relations.len()];
    for (model, b) in boxes.iter().enumerate() {
        for from_right in [false, true] {
            let mut arriving: Vec<(f64, usize)> = relations
                .iter()
                .enumerate()
                .filter(|(_, r)| r.target == model && r.holder != model)
                .filter(|(_, r)| (boxes[r.holder].layer > b.layer) == from_right)
                .map(|(edge, r)| (boxes[r.holder].y + field_row_center(r.field), edge))
                .collect();
            arriving.sort_by(|a, c| a.0.total_cmp(&c.0).then(a.1.cmp(&c.1)));
            let count = arriving.len() as f64;
            let spacing = ((b.height - 8.0) / count.max(1.0)).min(14.0);
            for (index, (_, edge)) in arriving.iter().enumerate() {
                let centred = (index as f64 - (count - 1.0) / 2.0) * spacing;
                target_port[*edge] = (HEADER_H / 2.0 + centred)
                    .clamp(4.0, b.height - 4.0)
                    .round();
            }
        }
    }
    let port = |edge: usize, node: usize| -> f64 {
        let relation = &relations[edge];
        match nodes[node].model {
            None => nodes[node].top + DUMMY_H / 2.0,
            Some(model) if model == relation.holder => {
                nodes[node].top + field_row_center(relation.field)
            }
            Some(_) => nodes[node].top + target_port[edge],
        }
    };

    // Lanes: the bending pieces in each gap, ordered by height.
    let mut lane_x: Vec<Option<f64>> = vec![None; links.len()];
    for (layer, &gap_left) in gap_x.iter().enumerate() {
        let mut bending: Vec<(f64, f64, usize)> = links
            .iter()
            .enumerate()
            .filter(|(_, (_, link))| nodes[link.low].layer == layer)
            .map(|(index, (edge, link))| (port(*edge, link.low), port(*edge, link.high), index))
            .filter(|(a, b, _)| (a - b).abs() > 0.01)
            .collect();
        // Pieces going down take the lanes nearer the left, those going up
        // the lanes nearer the right, which avoids most crossings at the ends.
        bending.sort_by(|a, b| {
            let down_a = a.1 > a.0;
            let down_b = b.1 > b.0;
            down_b
                .cmp(&down_a)
                .then(if down_a {
                    b.0.total_cmp(&a.0)
                } else {
                    a.0.total_cmp(&b.0)
                })
                .then(a.2.cmp(&b.2))
        });
        for (lane, (_, _, index)) in bending.iter().enumerate() {
            lane_x[*index] = Some(gap_left + END_CLEAR + LANE * lane as f64);
        }
    }

    let mut loop_count = vec![0usize; column_x.len()];
    relations
        .iter()
        .enumerate()
        .map(|(edge, relation)| {
            let holder = &boxes[relation.holder];
            let mut points: Vec<(f64, f64)> = Vec::new();
            if relation.holder == relation.target {
                let right = holder.x + holder.width;
                let reach =
                    right.max(gap_x[holder.layer]) + 16.0 + LANE * loop_count[holder.layer] as f64;
                loop_count[holder.layer] += 1;
                let from = holder.y + field_row_center(relation.field);
                let to = holder.y + HEADER_H / 2.0;
                points = vec![(right, from), (reach, from), (reach, to), (right, to)];
            } else {
                let chain = &chains[edge];
                for pair in chain.windows(2) {
                    let (low, high) = (pair[0], pair[1]);
                    let exit_x = match nodes[low].model {
                        Some(model) => boxes[model].x + boxes[model].width,
                        None => gap_x[nodes[low].layer],
                    };
                    let entry_x = match nodes[high].model {
                        Some(model) => boxes[model].x,
                        None => column_x[nodes[high].layer],
                    };
                    let (y_low, y_high) = (port(edge, low), port(edge, high));
                    points.push((exit_x, y_low));
                    let piece = links
                        .iter()
                        .position(|(e, link)| *e == edge && link.low == low && link.high == high);
                    if let Some(lane) = piece.and_then(|p| lane_x[p]) {
                        points.push((lane, y_low));
                        points.push((lane, y_high));
                    }
                    points.push((entry_x, y_high));
                }
                if chain.first() != Some(&relation.holder) {
                    points.reverse();
                }
            }
            ErEdge {
                from: holder.model.clone(),
                field: project.models[relation.holder].fields[relation.field]
                    .name
                    .clone(),
                to: boxes[relation.target].model.clone(),
                kind: relation.kind,
                nullable: relation.nullable,
                points: simplify(points),
            }
        })
        .collect()
}

/// Drops repeated points and middle points of straight runs.
fn simplify(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for point in points {
        if out.last().is_some_and(|last| same(*last, point)) {
            continue;
        }
        if out.len() >= 2 {
            let a = out[out.len() - 2];
            let b = out[out.len() - 1];
            let collinear = ((a.0 - b.0).abs() < 0.01 && (b.0 - point.0).abs() < 0.01)
                || ((a.1 - b.1).abs() < 0.01 && (b.1 - point.1).abs() < 0.01);
            if collinear {
                out.pop();
            }
        }
        out.push(point);
    }
    out
}

fn same(a: (f64, f64), b: (f64, f64)) -> bool {
    (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
}

/// A field type, short enough for a box.
fn compact_type(project: &Project, ty: &FieldType) -> String {
    match ty {
        FieldType::AutoId => "bigint".to_string(),
        FieldType::String { max } => format!("string({max})"),
        FieldType::Decimal { digits, places } => format!("decimal({digits},{places})"),
        other => other.describe(project),
    }
}

// ── SVG ─────────────────────────────────────────────────────────────────────

/// Width of the legend.
const LEGEND_W: f64 = 390.0;
/// Height of the legend: one line per notation.
const LEGEND_H: f64 = 104.0;

/// How many rows an edge end allows.
#[derive(Clone, Copy)]
enum End {
    ExactlyOne,
    ZeroOrOne,
    ZeroOrMany,
}

/// Draws the diagram. `href` gives the link of a model's page.
pub fn svg(diagram: &ErDiagram, title: &str, href: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let (w, h) = (num(diagram.width), num(diagram.height));
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="er-diagram" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">"#
    );
    let _ = writeln!(out, "<title>{}</title>", html_escape(title));
    out.push_str(STYLE);
    let _ = writeln!(
        out,
        r#"<rect class="er-background" x="0" y="0" width="{w}" height="{h}"/>"#
    );
    for edge in &diagram.edges {
        draw_edge(&mut out, edge);
    }
    for b in &diagram.boxes {
        draw_box(&mut out, b, &href(&b.model));
    }
    draw_legend(&mut out, MARGIN, diagram.legend_y);
    out.push_str("</svg>\n");
    out
}

const STYLE: &str = r#"<style>
.er-background { fill: #ffffff; }
.er-box { fill: #ffffff; stroke: #3b4a5a; stroke-width: 1.2; }
.er-header { fill: #2f5d8a; }
.er-name { fill: #ffffff; font-weight: bold; font-size: 13px; }
.er-stripe { fill: #f1f5f9; }
.er-key { fill: #9a6700; font-size: 10px; font-weight: bold; }
.er-field { fill: #1f2933; }
.er-type { fill: #5f6b7a; }
.er-edge { fill: none; stroke-width: 1.4; }
.er-fk { stroke: #3b4a5a; }
.er-one { stroke: #8a3ffc; }
.er-many { stroke: #1b7f5b; }
.er-nullable { stroke-dasharray: 5 3; }
.er-mark { fill: none; stroke-width: 1.4; }
.er-dot { fill: #ffffff; stroke-width: 1.4; }
.er-legend { fill: #fafbfc; stroke: #c9d1d9; }
.er-legend-text { fill: #1f2933; font-size: 11px; }
a:hover .er-box { stroke: #d1242f; stroke-width: 2; }
</style>
"#;

fn draw_box(out: &mut String, b: &ErBox, href: &str) {
    let (x, y, w, h) = (b.x, b.y, b.width, b.height);
    let _ = writeln!(
        out,
        r#"<a href="{}"><g class="er-model" id="model-{}">"#,
        html_escape(href),
        html_escape(&b.model)
    );
    let tooltip = b.doc.as_deref().unwrap_or(&b.model);
    let _ = writeln!(out, "<title>{}</title>", html_escape(tooltip));
    let _ = writeln!(
        out,
        r#"<rect class="er-box" data-model="{}" x="{}" y="{}" width="{}" height="{}" rx="4"/>"#,
        html_escape(&b.model),
        num(x),
        num(y),
        num(w),
        num(h)
    );
    let _ = writeln!(
        out,
        r#"<path class="er-header" d="M{x0},{yh} V{y4} Q{x0},{y0} {x4},{y0} H{xw4} Q{xw},{y0} {xw},{y4} V{yh} Z"/>"#,
        x0 = num(x + 0.6),
        y0 = num(y + 0.6),
        y4 = num(y + 4.6),
        x4 = num(x + 4.6),
        xw4 = num(x + w - 4.6),
        xw = num(x + w - 0.6),
        yh = num(y + HEADER_H),
    );
    let _ = writeln!(
        out,
        r#"<text class="er-name" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        num(x + w / 2.0),
        num(y + HEADER_H / 2.0 + 4.5),
        html_escape(&b.model)
    );
    for (index, row) in b.rows.iter().enumerate() {
        let top = y + HEADER_H + ROW_H * index as f64;
        let baseline = top + ROW_H / 2.0 + 4.0;
        if index % 2 == 1 {
            let _ = writeln!(
                out,
                r#"<rect class="er-stripe" x="{}" y="{}" width="{}" height="{}"/>"#,
                num(x + 1.0),
                num(top),
                num(w - 2.0),
                num(ROW_H)
            );
        }
        if !row.key.is_empty() {
            let _ = writeln!(
                out,
                r#"<text class="er-key" x="{}" y="{}">{}</text>"#,
                num(x + PAD),
                num(baseline - 0.5),
                row.key
            );
        }
        let _ = writeln!(
            out,
            r#"<text class="er-field" x="{}" y="{}">{}</text>"#,
            num(x + PAD + 4.0 * CHAR_W),
            num(baseline),
            html_escape(&row.name)
        );
        let _ = writeln!(
            out,
            r#"<text class="er-type" x="{}" y="{}" text-anchor="end">{}</text>"#,
            num(x + w - PAD),
            num(baseline),
            html_escape(&row.ty)
        );
    }
    out.push_str("</g></a>\n");
}

fn edge_class(kind: RelationKind, nullable: bool) -> String {
    let kind = match kind {
        RelationKind::ForeignKey => "er-fk",
        RelationKind::OneToOne => "er-one",
        RelationKind::ManyToMany => "er-many",
    };
    if nullable {
        format!("{kind} er-nullable")
    } else {
        kind.to_string()
    }
}

fn ends(kind: RelationKind, nullable: bool) -> (End, End) {
    let target = if nullable {
        End::ZeroOrOne
    } else {
        End::ExactlyOne
    };
    match kind {
        RelationKind::ForeignKey => (End::ZeroOrMany, target),
        RelationKind::OneToOne => (End::ZeroOrOne, target),
        RelationKind::ManyToMany => (End::ZeroOrMany, End::ZeroOrMany),
    }
}

fn draw_edge(out: &mut String, edge: &ErEdge) {
    let class = edge_class(edge.kind, edge.nullable);
    let _ = writeln!(
        out,
        r#"<g class="er-relation" data-from="{}" data-field="{}" data-to="{}">"#,
        html_escape(&edge.from),
        html_escape(&edge.field),
        html_escape(&edge.to)
    );
    let _ = writeln!(
        out,
        "<title>{}.{} → {}</title>",
        html_escape(&edge.from),
        html_escape(&edge.field),
        html_escape(&edge.to)
    );
    let mut d = String::new();
    for (index, (x, y)) in edge.points.iter().enumerate() {
        let command = if index == 0 { 'M' } else { 'L' };
        let _ = write!(d, "{command}{},{} ", num(*x), num(*y));
    }
    let _ = writeln!(
        out,
        r#"<path class="er-edge {class}" d="{}"/>"#,
        d.trim_end()
    );
    let solid = edge_class(edge.kind, false);
    let (holder_end, target_end) = ends(edge.kind, edge.nullable);
    if let [first, second, ..] = edge.points.as_slice() {
        draw_end(out, &solid, *first, *second, holder_end);
    }
    if let [.., before, last] = edge.points.as_slice() {
        draw_end(out, &solid, *last, *before, target_end);
    }
    out.push_str("</g>\n");
}

/// Draws a crow's-foot end at `at` (on a box side), the line leaving towards `toward`.
fn draw_end(out: &mut String, class: &str, at: (f64, f64), toward: (f64, f64), end: End) {
    let (x, y) = at;
    let d = if toward.0 >= x { 1.0 } else { -1.0 };
    let bar = |out: &mut String, dx: f64| {
        let _ = writeln!(
            out,
            r#"<path class="er-mark {class}" d="M{},{} V{}"/>"#,
            num(x + d * dx),
            num(y - 6.0),
            num(y + 6.0)
        );
    };
    let dot = |out: &mut String, dx: f64| {
        let _ = writeln!(
            out,
            r#"<circle class="er-dot {class}" cx="{}" cy="{}" r="3.5"/>"#,
            num(x + d * dx),
            num(y)
        );
    };
    match end {
        End::ExactlyOne => {
            bar(out, 6.0);
            bar(out, 11.0);
        }
        End::ZeroOrOne => {
            bar(out, 6.0);
            dot(out, 15.0);
        }
        End::ZeroOrMany => {
            let _ = writeln!(
                out,
                r#"<path class="er-mark {class}" d="M{x0},{ya} L{x1},{y} L{x0},{yb} M{x0},{y} L{x1},{y}"/>"#,
                x0 = num(x),
                x1 = num(x + d * 12.0),
                ya = num(y - 6.0),
                yb = num(y + 6.0),
                y = num(y),
            );
            dot(out, 16.5);
        }
    }
}

fn draw_legend(out: &mut String, x: f64, y: f64) {
    let _ = writeln!(
        out,
        r#"<g class="er-legend-box"><rect class="er-legend" x="{}" y="{}" width="{}" height="{}" rx="4"/>"#,
        num(x),
        num(y),
        num(LEGEND_W),
        num(LEGEND_H)
    );
    let items = [
        (
            RelationKind::ForeignKey,
            false,
            "foreign key: many rows → exactly one",
        ),
        (
            RelationKind::ForeignKey,
            true,
            "nullable foreign key: → zero or one",
        ),
        (
            RelationKind::OneToOne,
            false,
            "one-to-one: zero or one → exactly one",
        ),
        (RelationKind::ManyToMany, false, "many-to-many: many ↔ many"),
    ];
    for (index, (kind, nullable, label)) in items.iter().enumerate() {
        let left = x + 14.0;
        let line_y = y + 18.0 + index as f64 * 23.0;
        let right = left + 70.0;
        let edge = ErEdge {
            from: String::new(),
            field: String::new(),
            to: String::new(),
            kind: *kind,
            nullable: *nullable,
            points: vec![(left, line_y), (right, line_y)],
        };
        let class = edge_class(edge.kind, edge.nullable);
        let _ = writeln!(
            out,
            r#"<path class="er-edge {class}" d="M{},{} L{},{}"/>"#,
            num(left),
            num(line_y),
            num(right),
            num(line_y)
        );
        let solid = edge_class(edge.kind, false);
        let (holder_end, target_end) = ends(edge.kind, edge.nullable);
        draw_end(out, &solid, (left, line_y), (right, line_y), holder_end);
        draw_end(out, &solid, (right, line_y), (left, line_y), target_end);
        let _ = writeln!(
            out,
            r#"<text class="er-legend-text" x="{}" y="{}">{}</text>"#,
            num(right + 10.0),
            num(line_y + 4.0),
            html_escape(label)
        );
    }
    out.push_str("</g>\n");
}

/// A coordinate with at most one decimal.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

// ── Mermaid ─────────────────────────────────────────────────────────────────

/// The models and relations as a Mermaid `erDiagram`.
pub fn mermaid(project: &Project) -> String {
    let mut out = String::from("erDiagram\n");
    for model in &project.models {
        let _ = writeln!(out, "    {} {{", model.name);
        for field in &model.fields {
            if matches!(field.ty, FieldType::ManyToMany(_)) {
                continue;
            }
            let ty = match &field.ty {
                FieldType::AutoId => "bigint".to_string(),
                FieldType::ForeignKey(r) | FieldType::OneToOne(r) => {
                    mermaid_word(&compact_type(project, &project.model(r.target).pk().ty))
                }
                other => mermaid_word(&compact_type(project, other)),
            };
            let key = match &field.ty {
                _ if field.primary_key => " PK",
                FieldType::ForeignKey(_) | FieldType::OneToOne(_) => " FK",
                _ if field.unique => " UK",
                _ => "",
            };
            let _ = writeln!(out, "        {ty} {}{key}", field.name);
        }
        out.push_str("    }\n");
    }
    for model in &project.models {
        for field in &model.fields {
            let (left, target) = match &field.ty {
                FieldType::ForeignKey(r) => ("}o", r.target),
                FieldType::OneToOne(r) => ("|o", r.target),
                FieldType::ManyToMany(r) => ("}o", r.target),
                _ => continue,
            };
            let right = match &field.ty {
                FieldType::ManyToMany(_) => "o{",
                _ if field.null => "o|",
                _ => "||",
            };
            let _ = writeln!(
                out,
                "    {} {left}--{right} {} : \"{}\"",
                model.name,
                project.model(ModelId(target.0)).name,
                field.name
            );
        }
    }
    out
}

/// A type as one Mermaid word: `decimal(10,2)` → `decimal`.
fn mermaid_word(ty: &str) -> String {
    ty.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("value")
        .to_string()
}
