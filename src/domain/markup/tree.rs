//! The inline tree from the tokens of `inlines.rs`: delimiters paired, innermost first, each
//! kind on a stack of its own, so pairs always nest; then the tree built, where what found
//! no partner (or nests too deep) is the text it was.

use super::inlines::{Kind, Token};
use super::{Inline, MAX_INLINE_DEPTH};

/// Pairs each closing delimiter with the nearest open one of its kind; open delimiters of
/// other kinds between the two are left unpaired, so pairs always nest.
pub(super) fn pair(tokens: &mut [Token]) {
    let mut open: Vec<(Kind, Vec<usize>)> = Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
    for index in 0..tokens.len() {
        let Token::Delimiter {
            kind,
            opens,
            closes,
            ..
        } = tokens[index]
        else {
            continue;
        };
        let slot = kind.slot();
        let opener = if closes { open[slot].1.pop() } else { None };
        match opener {
            Some(opener) => {
                for (_, stack) in open.iter_mut() {
                    while stack.last().is_some_and(|inner| *inner > opener) {
                        stack.pop();
                    }
                }
                set_partner(&mut tokens[opener], index);
                set_partner(&mut tokens[index], opener);
            }
            None if opens => open[slot].1.push(index),
            None => {}
        }
    }
}

fn set_partner(token: &mut Token, to: usize) {
    if let Token::Delimiter { partner, .. } = token {
        *partner = Some(to);
    }
}

/// An open frame of [`build`]: its kind and the index of the delimiter that closes it
/// (none for the outermost), and its children so far.
type Frame = (Option<(Kind, usize)>, Vec<Inline>);

/// The tree of paired tokens; an unpaired delimiter, or one nested deeper than
/// [`MAX_INLINE_DEPTH`], is its marker's text.
pub(super) fn build(tokens: Vec<Token>) -> Vec<Inline> {
    let mut frames: Vec<Frame> = vec![(None, Vec::new())];
    for (index, token) in tokens.into_iter().enumerate() {
        let depth = frames.len() - 1;
        let Some((_, children)) = frames.last_mut() else {
            break;
        };
        match token {
            Token::Text(text) => push_inline_text(children, &text),
            Token::Whole(inline) => children.push(inline),
            Token::Delimiter {
                kind,
                partner: Some(partner),
                ..
            } if partner > index && depth < MAX_INLINE_DEPTH => {
                frames.push((Some((kind, partner)), Vec::new()));
            }
            Token::Delimiter { kind, .. } => {
                let closes_top =
                    matches!(frames.last(), Some((Some((_, close)), _)) if *close == index);
                if closes_top {
                    if let Some((_, inner)) = frames.pop() {
                        if let Some((_, parent)) = frames.last_mut() {
                            parent.push(kind.wrap(inner));
                        }
                    }
                } else if let Some((_, children)) = frames.last_mut() {
                    push_inline_text(children, kind.marker());
                }
            }
        }
    }
    // Pairs always close inside the text, so only the root is left; were a frame still
    // open, its marker and children would stay as they are.
    while frames.len() > 1 {
        if let Some((Some((kind, _)), inner)) = frames.pop() {
            if let Some((_, parent)) = frames.last_mut() {
                push_inline_text(parent, kind.marker());
                parent.extend(inner);
            }
        }
    }
    frames.pop().map(|(_, root)| root).unwrap_or_default()
}

fn push_inline_text(children: &mut Vec<Inline>, text: &str) {
    match children.last_mut() {
        Some(Inline::Text(last)) => last.push_str(text),
        _ => children.push(Inline::Text(text.to_owned())),
    }
}
