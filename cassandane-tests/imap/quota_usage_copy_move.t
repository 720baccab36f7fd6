#!/usr/bin/perl
# quota_usage_copy_move.t - COPY charges the destination's quota root;
# MOVE to a folder under another root moves the usage from the source's
# root to the destination's; MOVE within one root leaves it unchanged;
# DELETE of a folder gives its usage back.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
like(scalar $c->cmd("CREATE INBOX${S}Same"), qr/^\S+ OK/, 'create Same');
like(scalar $c->cmd("CREATE INBOX${S}Other"), qr/^\S+ OK/, 'create Other');
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd("SETQUOTA user${S}alice (MESSAGE 50)"), qr/^\S+ OK/, 'root user.alice');
like(scalar $adm->cmd("SETQUOTA user${S}alice${S}Other (MESSAGE 50)"), qr/^\S+ OK/,
     'root user.alice.Other');

# usage - the MESSAGE usage of the root governing $mbox
sub usage {
    my ($mbox) = @_;
    my (undef, @u) = Murder::MsgIMAP::cmd($c, "GETQUOTAROOT $mbox");
    my ($q) = grep { /^\* QUOTA / } @u;
    return $q && $q =~ /MESSAGE (\d+) 50/ ? $1 : 'none';
}

my $msg = Murder::MsgIMAP::msg("Subject: c\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 4;
is(usage('INBOX'), 4, 'APPEND: 4 in INBOX root');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');

like(scalar Murder::MsgIMAP::cmd($c, "COPY 1:2 INBOX${S}Same"), qr/^\S+ OK/, 'COPY to Same');
is(usage('INBOX'), 6, 'COPY charged the same root');
like(scalar Murder::MsgIMAP::cmd($c, "COPY 1 INBOX${S}Other"), qr/^\S+ OK/, 'COPY to Other');
is(usage("INBOX${S}Other"), 1, 'COPY charged the other root');
is(usage('INBOX'), 6, 'source root unchanged by COPY');

like(scalar Murder::MsgIMAP::cmd($c, "MOVE 3 INBOX${S}Other"), qr/^\S+ OK/, 'MOVE to Other');
is(usage("INBOX${S}Other"), 2, 'MOVE charged the other root');
is(usage('INBOX'), 5, 'MOVE gave the source root its usage back');
like(scalar Murder::MsgIMAP::cmd($c, "MOVE 1 INBOX${S}Same"), qr/^\S+ OK/, 'MOVE to Same');
is(usage('INBOX'), 5, 'MOVE within one root: unchanged');

Murder::MsgIMAP::cmd($c, 'CLOSE');
like(scalar $c->cmd("DELETE INBOX${S}Same"), qr/^\S+ OK/, 'DELETE Same');
is(usage('INBOX'), 2, 'DELETE gave the 3 messages of Same back');
$n->stop;
done_testing;
