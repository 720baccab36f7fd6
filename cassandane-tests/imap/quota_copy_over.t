#!/usr/bin/perl
# quota_copy_over.t - COPY and MOVE into a folder whose quota root would
# exceed its limit answer NO [OVERQUOTA], copy nothing, and leave the
# usage of both roots and the source messages as they were; a COPY that
# reaches the limit exactly is allowed.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
like(scalar $c->cmd("CREATE INBOX${S}Small"), qr/^\S+ OK/, 'create Small');
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd("SETQUOTA user${S}alice${S}Small (MESSAGE 2)"), qr/^\S+ OK/,
     'Small: at most 2 messages');

# usage - the MESSAGE usage/limit of the root governing $mbox
sub usage {
    my ($mbox) = @_;
    my (undef, @u) = Murder::MsgIMAP::cmd($c, "GETQUOTAROOT $mbox");
    my ($q) = grep { /^\* QUOTA / } @u;
    return $q && $q =~ /\((.*)\)/ ? $1 : 'none';
}

my $msg = Murder::MsgIMAP::msg("Subject: o\n\nbody\n");
Murder::MsgIMAP::append($c, 'INBOX', $msg) for 1 .. 3;
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');

like(scalar Murder::MsgIMAP::cmd($c, "COPY 1:3 INBOX${S}Small"), qr/^\S+ NO \[OVERQUOTA\]/,
     'COPY of 3 into a 2-message root: NO [OVERQUOTA]');
is(usage("INBOX${S}Small"), 'MESSAGE 0 2', 'nothing charged');
my (undef, @s) = Murder::MsgIMAP::cmd($c, "STATUS INBOX${S}Small (MESSAGES)");
like(join('', @s), qr/MESSAGES 0\)/, 'nothing copied');

like(scalar Murder::MsgIMAP::cmd($c, "MOVE 1:3 INBOX${S}Small"), qr/^\S+ NO \[OVERQUOTA\]/,
     'MOVE over quota: NO [OVERQUOTA]');
(undef, @s) = Murder::MsgIMAP::cmd($c, 'STATUS INBOX (MESSAGES)');
like(join('', @s), qr/MESSAGES 3\)/, 'MOVE removed nothing from the source');

like(scalar Murder::MsgIMAP::cmd($c, "COPY 1:2 INBOX${S}Small"), qr/^\S+ OK/,
     'COPY reaching the limit exactly: OK');
is(usage("INBOX${S}Small"), 'MESSAGE 2 2', 'charged 2');
like(scalar Murder::MsgIMAP::cmd($c, "COPY 3 INBOX${S}Small"), qr/^\S+ NO \[OVERQUOTA\]/,
     'one more: NO [OVERQUOTA]');
(undef, @s) = Murder::MsgIMAP::cmd($c, "STATUS INBOX${S}Small (MESSAGES)");
like(join('', @s), qr/MESSAGES 2\)/, 'still 2 copied');
$n->stop;
done_testing;
