#!/usr/bin/perl
# imap4rev2_list.t - a hierarchy level that is not a mailbox but has
# children is listed by '%' as \Noselect in IMAP4rev1 and as \NonExistent
# under ENABLE IMAP4rev2 (RFC 9051 7.3.1: \NonExistent implies \Noselect).
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice'], config => { imap4rev2 => 'yes' });
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
like(scalar $c->cmd("CREATE lvl${S}kid"), qr/^\S+ OK/, 'create a child only');

my ($ok, @u) = Murder::MsgIMAP::cmd($c, "LIST \"\" \"%\"");
my @l = grep { /lvl"?$/ } @u;
is(scalar @l, 1, 'the level is listed');
like($l[0] // '', qr/^\* LIST \(\\Noselect \\HasChildren\)/, 'IMAP4rev1: \Noselect');
Murder::MsgIMAP::cmd($c, 'ENABLE IMAP4rev2');
($ok, @u) = Murder::MsgIMAP::cmd($c, "LIST \"\" \"%\"");
@l = grep { /lvl"?$/ } @u;
like($l[0] // '', qr/^\* LIST \(\\NonExistent \\HasChildren\)/, 'IMAP4rev2: \NonExistent');
($ok, @u) = Murder::MsgIMAP::cmd($c, "LIST \"\" \"%${S}%\"");
ok((grep { /^\* LIST \(\\HasNoChildren\) .*kid"?$/ } @u), 'the child itself is unchanged');
$n->stop;
done_testing;
