#!/usr/bin/perl
# quota_usage_expunge.t - APPEND charges the quota root; EXPUNGE, UID
# EXPUNGE and CLOSE give the usage of exactly the expunged messages back
# (CLOSE once, not twice), as GETQUOTAROOT shows after each step.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $adm = Murder::MsgIMAP::client($n, 'admin');
like(scalar $adm->cmd("SETQUOTA user${Murder::MsgIMAP::SEP}alice (STORAGE 100 MESSAGE 50)"),
     qr/^\S+ OK/, 'SETQUOTA');
my $c = Murder::MsgIMAP::client($n, 'alice');

# usage - "STORAGE used limit MESSAGE used limit" of INBOX's root
sub usage {
    my (undef, @u) = Murder::MsgIMAP::cmd($c, 'GETQUOTAROOT INBOX');
    my ($q) = grep { /^\* QUOTA / } @u;
    return $q && $q =~ /\((.*)\)/ ? $1 : 'none';
}

# exactly 1 KiB per message, so STORAGE counts messages in KiB
my $hdr = "Subject: q\r\n\r\n";
my $msg = $hdr . ('x' x (1024 - length($hdr) - 2)) . "\r\n";
is(length $msg, 1024, 'message is 1 KiB');
like(Murder::MsgIMAP::append($c, 'INBOX', $msg), qr/OK/, "append $_") for 1 .. 6;
is(usage(), 'STORAGE 6 100 MESSAGE 6 50', 'APPEND charged');

Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
Murder::MsgIMAP::cmd($c, 'STORE 1:2 +FLAGS.SILENT (\Deleted)');
like(scalar Murder::MsgIMAP::cmd($c, 'EXPUNGE'), qr/^\S+ OK/, 'EXPUNGE');
is(usage(), 'STORAGE 4 100 MESSAGE 4 50', 'EXPUNGE gave 2 back');

# UID EXPUNGE removes only the \Deleted ones of its set
Murder::MsgIMAP::cmd($c, 'UID STORE 3:5 +FLAGS.SILENT (\Deleted)');
like(scalar Murder::MsgIMAP::cmd($c, 'UID EXPUNGE 3'), qr/^\S+ OK/, 'UID EXPUNGE');
is(usage(), 'STORAGE 3 100 MESSAGE 3 50', 'UID EXPUNGE gave 1 back');

# 4 and 5 are still \Deleted: CLOSE expunges them, counted once
like(scalar Murder::MsgIMAP::cmd($c, 'CLOSE'), qr/^\S+ OK/, 'CLOSE');
is(usage(), 'STORAGE 1 100 MESSAGE 1 50', 'CLOSE gave exactly 2 back');
my (undef, @s) = Murder::MsgIMAP::cmd($c, 'STATUS INBOX (MESSAGES)');
like(join('', @s), qr/MESSAGES 1\)/, 'one message left');

# EXAMINE + CLOSE expunges nothing and gives nothing back
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');
Murder::MsgIMAP::cmd($c, 'STORE 1 +FLAGS.SILENT (\Deleted)');
Murder::MsgIMAP::cmd($c, 'EXAMINE INBOX');
Murder::MsgIMAP::cmd($c, 'CLOSE');
is(usage(), 'STORAGE 1 100 MESSAGE 1 50', 'EXAMINE/CLOSE changes nothing');
$n->stop;
done_testing;
